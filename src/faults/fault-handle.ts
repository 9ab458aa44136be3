// The life cycle every fault kind shares: journal first, act, prove, and a revert that runs
// in-process teardown, then the journalled steps, then drops the journal entry.
import { randomBytes } from 'node:crypto';
import type { FaultReport } from '../scenario/results';
import { monotonicMs } from '../util/clock';
import { executeStep, type RevertStep } from './revert-steps';
import { type ActiveFault, type FaultContext, FaultRevertError } from './types';

export function newFaultId(): string {
  return randomBytes(4).toString('hex');
}

export interface HandleHooks {
  /** In-process teardown before the journalled steps (stop a loop, cut a hog). */
  beforeSteps?: () => Promise<void>;
  /** After the steps (close a proxy once no DNAT points at it any more). */
  afterSteps?: () => Promise<void>;
  /** Measures that the revert took hold; returns evidence lines. */
  verifyRevert?: () => Promise<string[]>;
}

export class FaultHandle implements ActiveFault {
  readonly id: string;
  injectedAtMs = 0;
  injectMs = 0;
  revertedAtMs: number | null = null;
  revertMs: number | null = null;
  private readonly lines: string[] = [];
  private readonly steps: RevertStep[] = [];
  private readonly startedAt = monotonicMs();
  private reverting: Promise<void> | undefined;
  hooks: HandleHooks = {};
  private finishCourse: (why: string) => void = () => undefined;
  readonly ranItsCourse: Promise<string> = new Promise((resolve) => (this.finishCourse = resolve));

  private constructor(
    private readonly ctx: FaultContext,
    readonly kind: string,
    readonly targets: string[],
    id?: string,
  ) {
    this.id = id ?? newFaultId();
  }

  /** Creates the handle and writes its journal entry before anything acts. */
  static async begin(
    ctx: FaultContext,
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
    for (const step of this.steps) {
      const outcome = await executeStep(step, this.ctx.project);
      if (!outcome.ok) failures.push(outcome.message);
    }
    await this.hooks.afterSteps?.().catch((error: Error) => failures.push(`teardown: ${error.message}`));
    if (failures.length > 0) {
      throw new FaultRevertError(
        `reverting ${this.kind} ${this.id} failed: ${failures.join('; ')} (kept in journal ${this.ctx.journal.file})`,
      );
    }
    await this.ctx.journal.remove(this.id);
    this.revertedAtMs = monotonicMs();
    this.revertMs = this.revertedAtMs - started;
    for (const line of (await this.hooks.verifyRevert?.()) ?? []) this.addEvidence(line);
  }

  report(): FaultReport {
    return {
      kind: this.kind,
      targets: this.targets,
      injectedAtMs: this.injectedAtMs || null,
      revertedAtMs: this.revertedAtMs,
      evidence: this.evidence(),
      injectMs: this.injectMs || null,
      revertMs: this.revertMs,
    };
  }
}
