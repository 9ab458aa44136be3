// The life cycle every fault kind shares: journal first, act, prove, and a revert that runs
// in-process teardown, then the journalled steps, then drops the journal entry.
import { randomBytes } from 'node:crypto';
import type { FaultReport } from '../results';
import { monotonicMs, type MonotonicMs, type ScenarioClock } from '../util/clock';
import { executeStep, type Journal, type RevertStep } from './journal';
import { type ActiveFault, FaultRevertError, FaultRevertUnprovenError } from './types';

/** What the life cycle needs of the run: its project (the only containers touched), journal and log. */
export interface FaultScope {
  /** The run's compose project: the only containers a fault may touch. */
  project: string;
  journal: Journal;
  log: (line: string) => void;
}

export function newFaultId(): string {
  return randomBytes(4).toString('hex');
}

/** What a kind's revert proof saw: lines for the evidence, and what shows the revert did not hold. */
export interface RevertCheck {
  /** One line per observation, good or bad ("redis-1 running again: state=running"). */
  evidence: string[];
  /**
   * One line per finding that the revert did not take hold, naming the service/container and
   * what was seen ("redis/proj-redis-1: still exited 5s after the revert (…)"). Any makes
   * revert() reject with FaultRevertUnprovenError.
   */
  problems: string[];
}

export interface HandleHooks {
  /** In-process teardown before the journalled steps (stop a loop, cut a hog). */
  beforeSteps?: () => Promise<void>;
  /** After the steps (close a proxy once no DNAT points at it any more). */
  afterSteps?: () => Promise<void>;
  /**
   * Measures that the revert took hold, after the steps succeeded. It may wait a little (a
   * bounded few seconds: a container being started needs a moment) but must not hang; a
   * verification that throws counts as a problem.
   */
  verifyRevert?: () => Promise<RevertCheck>;
}

/**
 * The steps in journal order, with each run of chain removals made one group: they act in
 * different network namespaces and do not depend on one another, so they run at once (a
 * partition's revert is one removal per client). Every other step runs alone, in order.
 */
export function concurrentGroups(steps: readonly RevertStep[]): RevertStep[][] {
  const groups: RevertStep[][] = [];
  for (const step of steps) {
    const last = groups.at(-1);
    if (step.op === 'remove-chain' && last?.[0].op === 'remove-chain') last.push(step);
    else groups.push([step]);
  }
  return groups;
}

export class FaultHandle implements ActiveFault {
  readonly id: string;
  injectedAtMs: MonotonicMs | null = null;
  injectMs = 0;
  revertedAtMs: MonotonicMs | null = null;
  revertMs: number | null = null;
  private readonly lines: string[] = [];
  private readonly steps: RevertStep[] = [];
  private readonly startedAt = monotonicMs();
  private reverting: Promise<void> | undefined;
  hooks: HandleHooks = {};
  private finishCourse: (why: string) => void = () => undefined;
  readonly ranItsCourse: Promise<string> = new Promise((resolve) => (this.finishCourse = resolve));

  private constructor(
    private readonly ctx: FaultScope,
    readonly kind: string,
    readonly targets: string[],
    id?: string,
  ) {
    this.id = id ?? newFaultId();
  }

  /** Creates the handle and writes its journal entry before anything acts. */
  static async begin(
    ctx: FaultScope,
    kind: string,
    targets: string[],
    steps: RevertStep[],
    id?: string,
  ): Promise<FaultHandle> {
    const handle = new FaultHandle(ctx, kind, targets, id);
    handle.steps.push(...steps);
    await ctx.journal.record({
      id: handle.id,
      kind,
      project: ctx.project,
      createdAt: new Date().toISOString(),
      pid: process.pid,
      steps,
    });
    return handle;
  }

  /** Journals more revert steps (known only once acting began); call before they are needed. */
  async addSteps(steps: RevertStep[]): Promise<void> {
    await this.ctx.journal.addSteps(this.id, steps);
    this.steps.push(...steps);
  }

  addEvidence(line: string): void {
    this.lines.push(line);
    this.ctx.log(`fault ${this.kind} ${this.id}: ${line}`);
  }

  /** Marks the fault as in effect; called after its proof passed. */
  markInjected(): this {
    this.injectedAtMs = monotonicMs();
    this.injectMs = this.injectedAtMs - this.startedAt;
    return this;
  }

  evidence(): string[] {
    return [...this.lines];
  }

  /** The fault has nothing left to do before its revert (see ActiveFault.ranItsCourse). */
  endOfCourse(why: string): void {
    this.finishCourse(why);
  }

  revert(): Promise<void> {
    this.reverting ??= this.runRevert();
    return this.reverting;
  }

  /** Runs the revert when injecting failed half-way, then rethrows the original error. */
  async abandon(error: unknown): Promise<never> {
    await this.revert().catch((revertError: Error) =>
      this.ctx.log(`fault ${this.kind} ${this.id}: ${revertError.message}`),
    );
    throw error;
  }

  private async runRevert(): Promise<void> {
    const started = monotonicMs();
    const failures: string[] = [];
    // A failing in-process teardown must not keep the journalled steps from running.
    await this.hooks.beforeSteps?.().catch((error: Error) => failures.push(`teardown: ${error.message}`));
    for (const group of concurrentGroups(this.steps)) {
      const outcomes = await Promise.all(group.map((step) => executeStep(step, this.ctx.project)));
      for (const outcome of outcomes) if (!outcome.ok) failures.push(outcome.message);
    }
    await this.hooks.afterSteps?.().catch((error: Error) => failures.push(`teardown: ${error.message}`));
    if (failures.length > 0) {
      throw new FaultRevertError(
        `reverting ${this.kind} ${this.id} failed: ${failures.join('; ')} (kept in journal ${this.ctx.journal.file})`,
      );
    }
    // The revert is done when its steps are; the proof that follows is not part of revertMs.
    this.revertedAtMs = monotonicMs();
    this.revertMs = this.revertedAtMs - started;
    const check = await this.verify();
    for (const line of check.evidence) this.addEvidence(line);
    if (check.problems.length > 0) {
      // Every step succeeded, yet the revert did not take hold. The journal entry is kept on
      // purpose: its steps are idempotent and tolerant (starting a running container, unpausing
      // an unpaused one or removing a chain that is gone all count as done), so the post step /
      // `chaos-action cleanup` replaying them can only help (it starts the container that
      // exited again, unpauses the one paused again) and drops the entry once they ran.
      // Removing it here would leave nothing to retry the revert with.
      throw new FaultRevertUnprovenError(
        `reverting ${this.kind} ${this.id} did not take hold: ${check.problems.join('; ')} (kept in journal ${this.ctx.journal.file})`,
        check.problems,
      );
    }
    await this.ctx.journal.remove(this.id);
  }

  private async verify(): Promise<RevertCheck> {
    if (!this.hooks.verifyRevert) return { evidence: [], problems: [] };
    try {
      return await this.hooks.verifyRevert();
    } catch (error) {
      const line = `the revert could not be verified: ${error instanceof Error ? error.message : String(error)}`;
      return { evidence: [line], problems: [line] };
    }
  }

  report(clock: ScenarioClock): FaultReport {
    return {
      kind: this.kind,
      targets: this.targets,
      injectedAtMs: this.injectedAtMs === null ? null : clock.fromMonotonic(this.injectedAtMs),
      revertedAtMs: this.revertedAtMs === null ? null : clock.fromMonotonic(this.revertedAtMs),
      evidence: this.evidence(),
      injectMs: this.injectMs || null,
      revertMs: this.revertMs,
    };
  }
}
