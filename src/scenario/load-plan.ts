// Turns a scenario's load section into the load generator's spec, on the scenario's clock.
// Pure. Scenario stages are steps ("10/s, then 100/s, then 1000/s"); the generator's stages
// are linear ramps, so each step becomes a short ramp to its target and a hold at it.
import { toMixRequestSpec } from '../config/request-mix';
import type { RequestSpec, Scenario } from '../config/scenario-schema';
import type { LoadSpec, RateStage, UserStage } from '../load';

/** How long a step takes to reach its new target: short, so the hold dominates the stage. */
export const STEP_RAMP_MS = 1000;

export interface StageWindow {
  name: string | null;
  index: number;
  /** Offsets from t0. */
  startMs: number;
  endMs: number;
}

export interface LoadPlan {
  spec: LoadSpec;
  /** Where each scenario stage sits on the scenario's timeline. */
  stages: StageWindow[];
}

/**
 * Whether the load is sent as a mix, each request with its own expectation and counted under
 * its name: several requests, or one with values. A mix of one request without values (the
 * run's single request, as built-ins take it) is sent as that request.
 */
export function sentAsMix(load: Scenario['load']): boolean {
  const mix = load.requests;
  return mix !== null && (mix.length > 1 || Object.keys(mix[0]?.values ?? {}).length > 0);
}

/**
 * The whole scenario's load: warm-up, baseline, fault, the longest recovery and after.
 * The runner stops it early when recovery comes sooner. Stage windows are offsets from the
 * instant the load starts sending, which is the scenario's t0.
 */
export function planLoad(scenario: Scenario, baseUrl: string): LoadPlan {
  const { phases, load } = scenario;
  const totalMs = phases.warmupMs + phases.baselineMs + phases.faultMs + phases.recoveryMs + phases.afterMs;
  const sent: Pick<LoadSpec, 'request' | 'expect' | 'requests'> = sentAsMix(load)
    ? { requests: (load.requests ?? []).map(toMixRequestSpec) }
    : singleRequest(load.request);
  const common: LoadSpec = {
    url: (load.url ?? baseUrl).replace(/\/$/, ''),
    ...sent,
    timeout: load.timeoutMs,
    warmup: phases.warmupMs > 0 ? phases.warmupMs : undefined,
    initialPhase: 'baseline',
    // No t0 of our own: the load's start is the scenario's t0, so phases and stages sit where the load put them.
  };
  const windows: StageWindow[] = [];
  const steps = load.stages.map((stage, index) => {
    const startMs = windows.length ? windows[windows.length - 1].endMs : 0;
    const remaining = Math.max(0, totalMs - startMs);
    const durationMs = stage.durationMs === null ? remaining : Math.min(stage.durationMs, remaining);
    windows.push({ name: stage.name, index, startMs, endMs: startMs + durationMs });
    return { target: 'users' in stage ? stage.users : stage.ratePerSecond, durationMs };
  });
  // A last stage that ends before the scenario does holds its target until the end.
  const covered = windows.length ? windows[windows.length - 1].endMs : 0;
  if (covered < totalMs && steps.length) {
    steps[steps.length - 1].durationMs += totalMs - covered;
    windows[windows.length - 1].endMs = totalMs;
  }
  const ramped = stepsToRamps(steps.filter((s) => s.durationMs > 0));
  if (load.model === 'open') {
    return {
      spec: { ...common, stages: ramped.map((s): RateStage => ({ rate: s.target, duration: s.durationMs })) },
      stages: windows,
    };
  }
  return {
    spec: {
      ...common,
      userStages: ramped.map((s): UserStage => ({ users: s.target, duration: s.durationMs })),
      think: load.thinkMs,
    },
    stages: windows,
  };
}

function singleRequest(request: RequestSpec): Pick<LoadSpec, 'request' | 'expect'> {
  return {
    request: {
      method: request.method,
      path: request.path,
      headers: request.headers,
      ...(request.json !== null && request.json !== undefined ? { json: request.json } : {}),
      ...(request.body !== null ? { body: request.body } : {}),
    },
    expect: {
      status: request.expect.status,
      ...(request.expect.bodyContains ? { bodyContains: request.expect.bodyContains } : {}),
    },
  };
}

/**
 * Each step after the first becomes a ramp of STEP_RAMP_MS (or a tenth of the step when it
 * is short) followed by a hold; the first step starts at its target with no ramp-in.
 */
export function stepsToRamps(
  steps: { target: number; durationMs: number }[],
): { target: number; durationMs: number }[] {
  const ramps: { target: number; durationMs: number }[] = [];
  steps.forEach((step, index) => {
    const previous = index === 0 ? step.target : steps[index - 1].target;
    if (previous === step.target) {
      ramps.push({ ...step });
      return;
    }
    const rampMs = Math.min(STEP_RAMP_MS, step.durationMs / 10);
    ramps.push({ target: step.target, durationMs: rampMs });
    ramps.push({ target: step.target, durationMs: step.durationMs - rampMs });
  });
  return ramps.filter((r) => r.durationMs > 0);
}
