// A paired run: the same scenario on the PR's stack and on the base revision's stack, at the
// same time, so that whatever noise the machine adds (other jobs, CPU steal, a GC in the
// engine's own process) lands on both sides. The base stack is a compose project of its own
// (its own containers, network and fault journal entries); the two loads start together
// behind a barrier, and each side's phases follow the same durations from there, so the
// fault is injected at the same scenario time on both (each side proves its own). After its
// load has stopped, the base side hands its per-phase samples to the PR side, whose verdict
// judges regression thresholds on them as intervals and whose result carries the comparison.
//
// API (for the engine and for `chaos-action calibrate`):
//
//   const base = await prepareBase(config);               // before Docker: ConfigError on a bad base
//   const stack = new BaseStack(config, base, project, log); await stack.up();
//   const env = await stack.environment(hooks);           // the base side's ScenarioEnvironment
//   const { pr, base } = await runPaired(scenario, prEnv, env, stack.describe());
//   // pr.comparison: the comparison block (PR against base, per phase, intervals, verdict word)
//   await stack.down();
//
// runChaos (engine.ts) does all of this when config.baseCompose is not empty; calibrate can
// call runChaos with baseCompose = composeFiles (the same revision on both sides, A/A) and
// read each scenario's `comparison`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../config/run-config';
import { ConfigError } from '../config/errors';
import { createFaultContext } from '../faults';
import type { Scenario } from '../config/scenario-schema';
import type { ScenarioResult } from '../results';
import { ComposeError, ComposeStack, checkComposeFiles } from '../stack/compose';
import { readComposeModel } from '../stack/compose-model';
import { serviceUrl } from '../stack/endpoints';
import { RoleError, rolesFromModel, type RoleResolver } from '../stack/roles';
import { inferRunTarget, type RunTarget } from '../stack/run-target';
import { monotonicMs } from '../util/clock';
import type { PairedBaseObservation, ScenarioObservations } from './observations';
import { availableCores, cpuSplit, pinProject, pinSetting } from './paired-cpus';
import { emptyScenarioResult, runScenario, type PairedSide, type ScenarioEnvironment } from './runner';

/** The base revision's stack as compose describes it, known before anything starts. */
export interface PreparedBase {
  composeFiles: string[];
  roles: RoleResolver;
  target: RunTarget;
}

/** Reads the base compose files, its roles and the load's target; ConfigError (exit 2) when they do not hold. */
export async function prepareBase(config: RunConfig): Promise<PreparedBase> {
  const files = config.baseCompose.map((file) => path.resolve(file));
  try {
    checkComposeFiles(files);
    const model = await readComposeModel(files);
    const roles = rolesFromModel(model, config.serviceMap as Record<string, string>);
    const api = roles.optional('api');
    const target = inferRunTarget(
      model.services.find((s) => s.name === api) ?? null,
      config.target,
      roles.graph.entry,
    );
    return { composeFiles: files, roles, target };
  } catch (error) {
    if (error instanceof ComposeError || error instanceof RoleError)
      throw ConfigError.single(null, null, 'base-compose', `base stack: ${error.message}`);
    throw error;
  }
}

/** The base stack: its own compose project next to the PR's, brought up and down with it. */
export class BaseStack {
  readonly project: string;
  readonly stack: ComposeStack;

  constructor(
    private readonly config: RunConfig,
    private readonly prepared: PreparedBase,
    prProject: string,
    private readonly log: (line: string) => void,
  ) {
    this.project = `${prProject}-base`;
    this.stack = new ComposeStack({
      files: prepared.composeFiles,
      project: this.project,
      passEnv: config.composeEnv,
      log: (line) => log(`base: ${line}`),
    });
  }

  up(): Promise<unknown> {
    return this.stack.up();
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    await this.stack.waitHealthy(timeoutMs);
  }

  down(): Promise<void> {
    return this.stack.down();
  }

  describe(): PairedBase {
    return {
      project: this.project,
      composeFiles: this.prepared.composeFiles,
      inconclusive: this.config.pairedInconclusive,
    };
  }

  /** Where the base side's load and probes reach it now (read again before every scenario). */
  async endpoints(): Promise<Pick<ScenarioEnvironment, 'targetUrl' | 'prometheusUrl'>> {
    const { roles, target } = this.prepared;
    const targetUrl = await serviceUrl(this.project, roles.service('api'), target.port);
    const metrics = roles.optional('metrics');
    const prometheusUrl = metrics ? await serviceUrl(this.project, metrics).catch(() => null) : null;
    return { targetUrl, prometheusUrl };
  }

  /** The base side's environment: its own project, roles, URLs and fault context (same journal file, own entries). */
  async environment(
    options: Pick<ScenarioEnvironment, 'signal' | 'edges'> = {},
  ): Promise<ScenarioEnvironment> {
    const { roles } = this.prepared;
    const { targetUrl, prometheusUrl } = await this.endpoints();
    const log = (line: string): void => this.log(`base: ${line}`);
    const faults = await createFaultContext({
      project: this.project,
      journalPath: this.config.journalPath,
      log,
    });
    this.log(`base: load goes to ${targetUrl}`);
    return {
      project: this.project,
      roles,
      targetUrl,
      prometheusUrl,
      faults,
      baseline: null,
      log,
      ...options,
    };
  }
}

/** The base side as the PR side's comparison names it, and how an undecidable regression counts. */
export interface PairedBase {
  project: string;
  composeFiles: string[];
  /** paired-inconclusive (observations.ts' PairedBaseObservation.inconclusive); warn when absent. */
  inconclusive?: 'warn' | 'fail';
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Where the two sides meet: a barrier before the loads start, and the hand-over of the base's
 * samples. A side that stops early (its steady state did not hold, setup failed) leaves: the
 * other is released and goes on alone, the PR side then comparing with nothing (inconclusive).
 */
export class Rendezvous {
  private readonly ready = { pr: deferred<void>(), base: deferred<void>() };
  private readonly baseSamples = deferred<PairedBaseObservation>();
  /** Interleaved: the instant both loads start, agreed by whichever side passes the barrier first. */
  private turnsStartAtMs: number | null = null;
  /** Sides that stopped before their load (leave() came first): nothing to take turns with. */
  private readonly gone = new Set<'pr' | 'base'>();

  constructor(
    private readonly base: PairedBase,
    private readonly mode: PairedMode = 'concurrent',
    /** Where to write both sides' samples (CHAOS_PAIRED_SAMPLES), and the scenario's name. */
    private readonly samples: { dir: string; scenario: string } | null = null,
  ) {}

  side(which: 'pr' | 'base'): PairedSide {
    const other = which === 'pr' ? 'base' : 'pr';
    return {
      beforeLoadStart: async () => {
        this.ready[which].resolve();
        if (this.mode === 'sequential') return;
        await this.ready[other].promise;
        if (this.mode !== 'interleaved' || this.gone.has(other)) return;
        // Room for both pre-connects, so that both loads begin on the same grid of seconds.
        this.turnsStartAtMs ??= monotonicMs() + INTERLEAVE_LEAD_MS;
        return { interleave: { slot: which === 'pr' ? 0 : 1, startAtMs: this.turnsStartAtMs } };
      },
      exchange: async (own) => {
        if (which === 'base') {
          this.baseSamples.resolve(this.observation(own, null));
          return null;
        }
        const base = await this.baseSamples.promise;
        if (this.samples) writeSamples(this.samples, this.base.project, own, base);
        return base;
      },
    };
  }

  /** A side is done (whatever happened): nothing may wait for it any longer. */
  leave(which: 'pr' | 'base', result: ScenarioResult | null): void {
    this.gone.add(which);
    this.ready[which].resolve();
    // Once the base side has handed its samples over, this changes nothing (a promise settles once).
    if (which === 'base') {
      const why = `the base side measured nothing (${result?.outcome ?? 'error'}${result?.reason ? `: ${result.reason}` : ''})`;
      this.baseSamples.resolve(
        this.observation({ phases: {}, latencyBins: {}, timeline: [], secondBins: [] }, why),
      );
    }
  }

  private observation(
    own: Pick<ScenarioObservations, 'phases' | 'latencyBins' | 'timeline' | 'secondBins'>,
    problem: string | null,
  ): PairedBaseObservation {
    return {
      project: this.base.project,
      composeFiles: this.base.composeFiles,
      phases: own.phases,
      latencyBins: own.latencyBins ?? {},
      secondBins: own.secondBins ?? [],
      timeline: own.timeline.map((p) => ({
        second: p.second,
        phase: p.phase,
        scheduled: p.scheduled,
        completed: p.completed,
        p95Ms: p.p95Ms,
        errorRate: p.errorRate,
      })),
      problem,
      mode: this.mode,
      inconclusive: this.base.inconclusive ?? 'warn',
    };
  }
}

/**
 * Runs the scenario on both stacks at the same time; the PR side's result carries the
 * comparison, with the base side's outcome filled in. Never throws: a side that fails is an
 * `error` result, and the comparison says the base measured nothing.
 */
export async function runPaired(
  scenario: Scenario,
  prEnv: ScenarioEnvironment,
  baseEnv: ScenarioEnvironment,
  base: PairedBase,
  mode: PairedMode = pairedMode(),
): Promise<{ pr: ScenarioResult; base: ScenarioResult }> {
  await pinSides(prEnv, baseEnv);
  const samplesDir = pairedSamplesDir();
  const meet = new Rendezvous(base, mode, samplesDir ? { dir: samplesDir, scenario: scenario.name } : null);
  const side = async (which: 'pr' | 'base', env: ScenarioEnvironment): Promise<ScenarioResult> => {
    let result: ScenarioResult | null = null;
    try {
      result = await runScenario(scenario, { ...env, paired: meet.side(which) });
      return result;
    } catch (error) {
      result = {
        ...emptyScenarioResult(scenario),
        reason: error instanceof Error ? error.message : String(error),
      };
      return result;
    } finally {
      meet.leave(which, result);
    }
  };
  let pr: ScenarioResult;
  let baseResult: ScenarioResult;
  if (mode !== 'sequential') [pr, baseResult] = await Promise.all([side('pr', prEnv), side('base', baseEnv)]);
  else {
    // One after the other (for measuring what running together buys): the base first, its
    // samples then wait for the PR side.
    baseResult = await side('base', baseEnv);
    pr = await side('pr', prEnv);
  }
  if (pr.comparison) {
    pr.comparison.base.outcome = baseResult.outcome;
    pr.comparison.base.reason = baseResult.reason;
  }
  return { pr, base: baseResult };
}

/**
 * Each side's containers on CPUs of their own where the machine has enough (paired-cpus.ts).
 * Done before every scenario: a scenario may have recreated a container. A failure to pin is
 * logged and the run goes on unpinned (noisier, not wrong).
 */
async function pinSides(prEnv: ScenarioEnvironment, baseEnv: ScenarioEnvironment): Promise<void> {
  const split = cpuSplit(availableCores(), pinSetting());
  if (!split) return;
  try {
    const [pr, base] = await Promise.all([
      pinProject(prEnv.project, split.pr),
      pinProject(baseEnv.project, split.base),
    ]);
    prEnv.log(
      `paired: ${pr} PR container(s) on CPUs ${split.pr}, ${base} base container(s) on CPUs ${split.base}`,
    );
  } catch (error) {
    prEnv.log(
      `paired: could not pin the sides to CPUs (${error instanceof Error ? error.message : String(error)}); running unpinned`,
    );
  }
}

/**
 * concurrent (the default): both sides at once, loads started together. For measuring the
 * difference only (CHAOS_PAIRED_MODE): sequential, the base side then the PR side;
 * interleaved, both sides at once with their loads taking turns second by second (the PR's
 * in even seconds, the base's in odd ones; a closed-model load only), so that each stack is
 * measured while the other rests and the pair shares what drifts over seconds.
 */
export type PairedMode = 'concurrent' | 'sequential' | 'interleaved';

/** How long the loads wait, after both sides are ready, to start together on one grid of seconds. */
const INTERLEAVE_LEAD_MS = 1000;

export function pairedMode(env: NodeJS.ProcessEnv = process.env): PairedMode {
  const mode = env.CHAOS_PAIRED_MODE;
  return mode === 'sequential' || mode === 'interleaved' ? mode : 'concurrent';
}

/**
 * CHAOS_PAIRED_SAMPLES=DIR writes both sides' samples (per-phase and per-second latency bins)
 * of every paired scenario to DIR, one JSON file each: the raw material for measuring the
 * comparison's statistics offline (benchmarks/verdicts/noise.ts). For measurement only.
 */
export function pairedSamplesDir(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.CHAOS_PAIRED_SAMPLES ? path.resolve(env.CHAOS_PAIRED_SAMPLES) : null;
}

/** What writeSamples writes: the PR side's samples and the base side's, as the comparison reads them. */
export interface PairedSamples {
  scenario: string;
  baseProject: string;
  mode: PairedMode;
  pr: Pick<ScenarioObservations, 'phases' | 'latencyBins' | 'secondBins'>;
  base: Pick<PairedBaseObservation, 'phases' | 'latencyBins' | 'secondBins' | 'problem'>;
}

function writeSamples(
  to: { dir: string; scenario: string },
  baseProject: string,
  own: Pick<ScenarioObservations, 'phases' | 'latencyBins' | 'secondBins'>,
  base: PairedBaseObservation,
): void {
  const samples: PairedSamples = {
    scenario: to.scenario,
    baseProject,
    mode: base.mode,
    pr: { phases: own.phases, latencyBins: own.latencyBins ?? {}, secondBins: own.secondBins ?? [] },
    base: {
      phases: base.phases,
      latencyBins: base.latencyBins,
      secondBins: base.secondBins,
      problem: base.problem,
    },
  };
  mkdirSync(to.dir, { recursive: true });
  const name = `${baseProject}-${to.scenario.replace(/[^\w.-]+/g, '_')}.json`;
  writeFileSync(path.join(to.dir, name), JSON.stringify(samples));
}
