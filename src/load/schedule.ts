// When each request is due. Pure: stages in, planned offsets (ms from load start) out.
// The open model follows k6's ramping-arrival-rate: the rate moves linearly from one
// stage's target to the next, and arrival k is planned at the first instant where the
// integral of the rate reaches k. The number of arrivals in [0, t) is therefore
// ceil(∫₀ᵗ rate), exactly: a 0→100/s ramp over 10 s schedules 500 requests.

export class ScheduleError extends Error {}

const RATE = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h))?\s*$/;
const PER_UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** "100/s", "6000/m", "100" or 100 → requests per second. */
export function parseRate(text: string | number, field = 'rate'): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new ScheduleError(`${field}: ${text} is not a rate ≥ 0`);
    return text;
  }
  const match = RATE.exec(text);
  if (!match) throw new ScheduleError(`${field}: "${text}" is not a rate (write it like 100/s or 6000/m)`);
  return Number(match[1]) / PER_UNIT_SECONDS[match[2] ?? 's'];
}

export interface Ramp {
  /** Value (rate in req/s, or users) at the start of the stage. */
  from: number;
  /** Value reached at the end of the stage. */
  to: number;
  durationMs: number;
}

/** Stages ("reach X over D") as ramps from the previous target; the first starts at `startValue`. */
export function rampsFromStages(
  stages: { target: number; durationMs: number }[],
  startValue?: number,
): Ramp[] {
  let previous = startValue ?? stages[0]?.target ?? 0;
  return stages.map((stage) => {
    const ramp = { from: previous, to: stage.target, durationMs: stage.durationMs };
    previous = stage.target;
    return ramp;
  });
}

interface ArrivalSegment extends Ramp {
  startMs: number;
  /** Arrivals (the rate's integral) accumulated before this segment. */
  arrivalsBefore: number;
  arrivalsAtEnd: number;
}

/** Tolerates float noise so that 100/s over 10 s is 1000 arrivals, not 1001. */
const EPSILON = 1e-9;

export class ArrivalSchedule {
  readonly durationMs: number;
  readonly totalArrivals: number;
  private readonly segments: ArrivalSegment[];
  /** Sends ask for k in increasing order; remembering the segment makes that O(1). */
  private cursor = 0;

  constructor(ramps: Ramp[]) {
    let startMs = 0;
    let arrivals = 0;
    this.segments = ramps.map((ramp) => {
      const segment = { ...ramp, startMs, arrivalsBefore: arrivals, arrivalsAtEnd: 0 };
      arrivals += ((ramp.from + ramp.to) / 2) * (ramp.durationMs / 1000);
      segment.arrivalsAtEnd = arrivals;
      startMs += ramp.durationMs;
      return segment;
    });
    this.durationMs = startMs;
    this.totalArrivals = Math.max(0, Math.ceil(arrivals - EPSILON));
  }

  /** ∫ rate from 0 to offsetMs: the (fractional) number of arrivals due before offsetMs. */
  integral(offsetMs: number): number {
    if (offsetMs <= 0) return 0;
    for (const segment of this.segments) {
      const end = segment.startMs + segment.durationMs;
      if (offsetMs >= end) continue;
      const tau = (offsetMs - segment.startMs) / 1000;
      const slope = (segment.to - segment.from) / (segment.durationMs / 1000);
      return segment.arrivalsBefore + segment.from * tau + (slope * tau * tau) / 2;
    }
    return this.segments.length ? this.segments[this.segments.length - 1].arrivalsAtEnd : 0;
  }

  /** Number of arrivals planned in [0, offsetMs). */
  arrivalsBefore(offsetMs: number): number {
    return Math.min(this.totalArrivals, Math.max(0, Math.ceil(this.integral(offsetMs) - EPSILON)));
  }

  /** Average target rate (req/s) over [fromMs, toMs) within the schedule. */
  targetRateBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    return ((this.integral(toMs) - this.integral(fromMs)) * 1000) / (toMs - fromMs);
  }

  /** Planned offset (ms from load start) of arrival k, for 0 ≤ k < totalArrivals. */
  plannedOffsetMs(k: number): number {
    if (k < 0 || k >= this.totalArrivals)
      throw new RangeError(`arrival ${k} is outside 0..${this.totalArrivals - 1}`);
    let index = this.segments[this.cursor].arrivalsBefore <= k ? this.cursor : 0;
    while (index < this.segments.length - 1 && this.segments[index].arrivalsAtEnd - EPSILON <= k) index++;
    this.cursor = index;
    const segment = this.segments[index];
    const x = k - segment.arrivalsBefore;
    if (x <= 0) return segment.startMs;
    // Solve from·τ + (slope/2)·τ² = x for τ in seconds; this form stays exact when slope = 0
    // and when the stage starts from rate 0.
    const slope = (segment.to - segment.from) / (segment.durationMs / 1000);
    const tau = (2 * x) / (segment.from + Math.sqrt(segment.from * segment.from + 2 * slope * x));
    return Math.min(segment.startMs + tau * 1000, segment.startMs + segment.durationMs);
  }
}

/** Active users at an offset for the closed model (linear ramps, rounded to whole users). */
export class UserSchedule {
  readonly durationMs: number;
  private readonly ramps: Ramp[];

  constructor(ramps: Ramp[]) {
    this.ramps = ramps;
    this.durationMs = ramps.reduce((sum, ramp) => sum + ramp.durationMs, 0);
  }

  usersAt(offsetMs: number): number {
    let startMs = 0;
    for (const ramp of this.ramps) {
      if (offsetMs < startMs + ramp.durationMs) {
        const progress = Math.max(0, offsetMs - startMs) / ramp.durationMs;
        return Math.round(ramp.from + (ramp.to - ramp.from) * progress);
      }
      startMs += ramp.durationMs;
    }
    return 0;
  }

  peakUsers(): number {
    return this.ramps.reduce((peak, ramp) => Math.max(peak, ramp.from, ramp.to), 0);
  }
}
