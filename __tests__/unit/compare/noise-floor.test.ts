import {
  checkLimit,
  formatChange,
  noiseFloor,
  normalQuantile,
  type ChangeInterval,
} from '../../../src/compare/noise-floor';

const interval = (
  low: number | null,
  high: number | null,
  over: Partial<ChangeInterval> = {},
): ChangeInterval => ({
  scenario: 'load-test',
  phase: 'fault',
  metric: 'p95',
  unit: 'relative',
  estimate: low === null || high === null ? null : (low + high) / 2,
  low,
  high,
  level: 0.95,
  samples: 3000,
  phaseSeconds: 30,
  ...over,
});

/** A seeded uniform generator (mulberry32) and normal draws (Box-Muller), for the simulations. */
function normalDraws(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('normalQuantile', () => {
  it("matches R's qnorm", () => {
    // qnorm(c(0.975, 0.8, 0.5, 0.01, 0.999, 1e-6)) in R 4.3
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874040841, 8);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306167813, 8);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424308822899, 7);
  });

  it('refuses p outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow('p must be in (0, 1), got 0');
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
  });
});

describe('noiseFloor', () => {
  it('is the minimal detectable effect from the interval width (95 %, 80 % power)', () => {
    const f = noiseFloor(interval(-0.04, 0.06));
    expect(f.halfWidth).toBeCloseTo(0.05, 12);
    // 0.05 / 1.959964 · (1.959964 + 0.841621)
    expect(f.mde).toBeCloseTo(0.0714701, 6);
    expect(f.floor).toBe(f.mde);
    expect(f.floorFrom).toBe('mde');
    expect(f.aaBound).toBeNull();
  });

  it('from an A/A run, is at least the farthest bound (noise wider than the interval says)', () => {
    const calm = noiseFloor(interval(-0.04, 0.06), { aa: true });
    expect(calm.aaBound).toBeCloseTo(0.06, 12);
    expect(calm.floorFrom).toBe('mde');
    const drifting = noiseFloor(interval(0.05, 0.15), { aa: true });
    expect(drifting.floor).toBeCloseTo(0.15, 12);
    expect(drifting.floorFrom).toBe('aa-bound');
    expect(noiseFloor(interval(-0.18, -0.08), { aa: true }).floor).toBeCloseTo(0.18, 12);
  });

  it('scales with the level and the power asked for', () => {
    const at99 = noiseFloor(interval(-0.05, 0.05, { level: 0.99 }), { power: 0.9 });
    // 0.05 / 2.575829 · (2.575829 + 1.281552)
    expect(at99.mde).toBeCloseTo(0.0748766, 6);
  });

  it('has no floor for a phase with no samples on a side', () => {
    const f = noiseFloor(interval(null, null, { samples: 0 }), { aa: true });
    expect(f.floor).toBeNull();
    expect(f.floorFrom).toBeNull();
    expect(checkLimit(f, 0.2)).toMatchObject({
      status: 'unknown',
      note: 'no p95 interval in the fault phase (no samples on a side, or too few to bound it): no floor',
    });
  });

  it('means what it says: a true change of one floor is detected, and an unchanged revision passes a limit of one floor, in about 80 % of runs', () => {
    const draw = normalDraws(11);
    const se = 0.03;
    const z = normalQuantile(0.975);
    const floor = noiseFloor(interval(-z * se, z * se)).floor ?? NaN;
    let detected = 0;
    let passedUnchanged = 0;
    const trials = 20000;
    for (let i = 0; i < trials; i++) {
      const changed = floor + se * draw();
      if (changed - z * se > 0) detected += 1;
      const unchanged = se * draw();
      if (unchanged + z * se < floor) passedUnchanged += 1;
    }
    expect(detected / trials).toBeGreaterThan(0.78);
    expect(detected / trials).toBeLessThan(0.82);
    expect(passedUnchanged / trials).toBeGreaterThan(0.78);
    expect(passedUnchanged / trials).toBeLessThan(0.82);
  });
});

describe('checkLimit', () => {
  const floor = noiseFloor(interval(-0.04, 0.06)); // floor 7.15 % over a 30 s phase

  it('passes a limit above the floor', () => {
    expect(checkLimit(floor, 0.2)).toEqual({
      scenario: 'load-test',
      phase: 'fault',
      metric: 'p95',
      limit: 0.2,
      floor: floor.floor,
      status: 'ok',
      recommendedSeconds: null,
      note: 'limit 20% is above the floor 7.1%',
    });
  });

  it('recommends a phase length for a limit below the floor (interval ~ 1/√n)', () => {
    // 30 s · (0.07147 / 0.05)² = 61.3 s → 70 s
    expect(checkLimit(floor, 0.05)).toMatchObject({
      status: 'below-floor',
      recommendedSeconds: 70,
      note: 'limit 5% is below the floor 7.1%: run the fault phase for about 70s (now 30s) or raise the limit',
    });
    // Four times as long halves the floor: the recommendation for half the floor is 4 · 30 s.
    expect(checkLimit(floor, (floor.floor ?? 0) / 2).recommendedSeconds).toBe(120);
  });

  it('recommends nothing for a limit that allows no change', () => {
    expect(checkLimit(floor, 0)).toMatchObject({ status: 'below-floor', recommendedSeconds: null });
  });

  it('formats error-rate floors in percentage points', () => {
    expect(formatChange(0.0045, 'points')).toBe('0.45 pp');
    expect(formatChange(0.1234, 'relative')).toBe('12.3%');
  });
});
