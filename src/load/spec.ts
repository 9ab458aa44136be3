// Turns a LoadSpec as written (strings like "100/s", "10s") into the numbers the
// generator runs on, or refuses it with every problem named at once. Runs before any
// connection is opened; reachability is checked next, by the pre-connect.
import { parseDuration } from '../config/duration';
import type { PhaseName } from '../results';
import { prepareMix, type PreparedMix } from './mix';
import { ArrivalSchedule, UserSchedule, parseRate, rampsFromStages } from './schedule';
import type { LoadInterleave, LoadSpec } from './types';

export class LoadSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid load spec: ${problems.join('; ')}`);
  }
}

export interface ResolvedLoadSpec {
  model: 'open' | 'closed';
  /** What is sent: one request, or a mix (each send takes its turn on the mix's wheel). */
  mix: PreparedMix;
  /** Open model only. */
  arrivals: ArrivalSchedule | null;
  /** Closed model only. */
  users: UserSchedule | null;
  thinkMs: number;
  durationMs: number;
  timeoutMs: number;
  warmupMs: number;
  connections: number | null;
  preconnect: number;
  maxOutstanding: number;
  lateToleranceMs: number;
  workers: number;
  initialPhase: PhaseName;
  t0Ms: number | null;
  interleave: LoadInterleave | null;
}

const PHASES: readonly PhaseName[] = ['warmup', 'baseline', 'fault', 'recovery', 'after'];

/** Validates a spec and resolves it; throws LoadSpecError naming each problem. */
export function validateLoadSpec(spec: LoadSpec): ResolvedLoadSpec {
  const problems: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };
  const positiveDuration = (value: string | number | undefined, field: string, fallback: number): number => {
    if (value === undefined) return fallback;
    let ms: number;
    try {
      ms = parseDuration(value, field);
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
    if (ms <= 0) problems.push(`${field}: must be > 0 (got ${JSON.stringify(value)})`);
    return ms;
  };
  const optionalDuration = (value: string | number | undefined, field: string, fallback: number): number =>
    value === undefined ? fallback : attempt(() => parseDuration(value, field), fallback);
  const positiveInteger = (value: number | undefined, field: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1)
      problems.push(`${field}: must be a whole number ≥ 1 (got ${value})`);
    return value;
  };

  const mix = prepareMix(spec, problems);

  const openModel = spec.rate !== undefined || spec.stages !== undefined;
  const closedModel = spec.users !== undefined || spec.userStages !== undefined;
  if (openModel && closedModel)
    problems.push('give either rate/stages (open model) or users/userStages (closed model), not both');
  if (!openModel && !closedModel)
    problems.push('give rate/stages (open model) or users/userStages (closed model)');

  let arrivals: ArrivalSchedule | null = null;
  let users: UserSchedule | null = null;
  if (openModel && !closedModel) {
    const stages: { target: number; durationMs: number }[] = [];
    if (spec.rate !== undefined && spec.stages !== undefined)
      problems.push('give either rate or stages, not both');
    else if (spec.rate !== undefined) {
      const rate = attempt(() => parseRate(spec.rate as string | number), -1);
      if (rate === 0)
        problems.push(`rate: must be > 0 requests per second (got ${JSON.stringify(spec.rate)})`);
      if (spec.duration === undefined) problems.push('duration: required with rate (e.g. 30s)');
      stages.push({ target: rate, durationMs: positiveDuration(spec.duration, 'duration', 0) });
    } else {
      if (!spec.stages?.length) problems.push('stages: give at least one stage');
      spec.stages?.forEach((stage, index) => {
        const rate = attempt(() => parseRate(stage.rate, `stages[${index}].rate`), 0);
        stages.push({
          target: rate,
          durationMs: positiveDuration(stage.duration, `stages[${index}].duration`, 0),
        });
      });
    }
    const startRate =
      spec.startRate === undefined
        ? undefined
        : attempt(() => parseRate(spec.startRate as number, 'startRate'), 0);
    if (problems.length === 0) {
      arrivals = new ArrivalSchedule(rampsFromStages(stages, startRate));
      if (arrivals.totalArrivals === 0)
        problems.push('stages: these rates and durations schedule no request at all');
    }
  }
  let thinkMs = 0;
  if (closedModel && !openModel) {
    const stages: { target: number; durationMs: number }[] = [];
    if (spec.users !== undefined && spec.userStages !== undefined)
      problems.push('give either users or userStages, not both');
    else if (spec.users !== undefined) {
      positiveInteger(spec.users, 'users', 0);
      if (spec.duration === undefined) problems.push('duration: required with users (e.g. 30s)');
      stages.push({ target: spec.users, durationMs: positiveDuration(spec.duration, 'duration', 0) });
    } else {
      if (!spec.userStages?.length) problems.push('userStages: give at least one stage');
      spec.userStages?.forEach((stage, index) => {
        if (!Number.isInteger(stage.users) || stage.users < 0) {
          problems.push(`userStages[${index}].users: must be a whole number ≥ 0 (got ${stage.users})`);
        }
        stages.push({
          target: stage.users,
          durationMs: positiveDuration(stage.duration, `userStages[${index}].duration`, 0),
        });
      });
    }
    thinkMs = optionalDuration(spec.think, 'think', 0);
    if (problems.length === 0) {
      users = new UserSchedule(rampsFromStages(stages, spec.startUsers));
      if (users.peakUsers() === 0) problems.push('userStages: no stage has any user');
    }
  }

  const timeoutMs = positiveDuration(spec.timeout, 'timeout', 10_000);
  const warmupMs = optionalDuration(spec.warmup, 'warmup', 0);
  const lateToleranceMs = optionalDuration(spec.lateTolerance, 'lateTolerance', 10);
  const connections =
    spec.connections === undefined ? null : positiveInteger(spec.connections, 'connections', 1);
  const workers = positiveInteger(spec.workers, 'workers', 1);
  if (workers > 1 && closedModel)
    problems.push('workers: only the open model (rate/stages) spreads over worker threads');
  if (spec.interleave !== undefined) {
    if (!closedModel) problems.push('interleave: only the closed model (users/userStages) takes turns');
    if (spec.interleave.slot !== 0 && spec.interleave.slot !== 1)
      problems.push(`interleave.slot: must be 0 or 1 (got ${String(spec.interleave.slot)})`);
    if (!Number.isFinite(spec.interleave.startAtMs))
      problems.push(
        `interleave.startAtMs: must be a time on monotonicMs() (got ${spec.interleave.startAtMs})`,
      );
  }
  const maxOutstanding = positiveInteger(spec.maxOutstanding, 'maxOutstanding', 10_000);
  if (spec.initialPhase !== undefined && !PHASES.includes(spec.initialPhase)) {
    problems.push(`initialPhase: "${spec.initialPhase}" is not one of ${PHASES.join(', ')}`);
  }
  const durationMs = arrivals?.durationMs ?? users?.durationMs ?? 0;
  if (durationMs > 0 && warmupMs >= durationMs) problems.push('warmup: must be shorter than the run');
  const peakConcurrency = users?.peakUsers() ?? 16;
  const defaultPreconnect = Math.min(connections ?? peakConcurrency, users ? peakConcurrency : 16, 64);
  const preconnect =
    spec.preconnect === undefined ? defaultPreconnect : positiveInteger(spec.preconnect, 'preconnect', 1);

  if (problems.length) throw new LoadSpecError(problems);
  return {
    model: arrivals ? 'open' : 'closed',
    mix: mix as PreparedMix,
    arrivals,
    users,
    thinkMs,
    durationMs,
    timeoutMs,
    warmupMs,
    // A closed model needs no more connections than users: one each keeps users independent.
    connections: connections ?? (users ? users.peakUsers() : null),
    preconnect: Math.max(1, Math.min(preconnect, connections ?? preconnect)),
    maxOutstanding,
    lateToleranceMs,
    workers,
    initialPhase: spec.initialPhase ?? 'baseline',
    t0Ms: spec.t0Ms ?? null,
    interleave: spec.interleave ?? null,
  };
}
