import { ArrivalSchedule, UserSchedule, parseRate, rampsFromStages } from '../../../src/load/schedule';

function plannedOffsets(schedule: ArrivalSchedule): number[] {
  return Array.from({ length: schedule.totalArrivals }, (_, k) => schedule.plannedOffsetMs(k));
}

describe('parseRate', () => {
  it('reads per-second, per-minute and bare rates', () => {
    expect(parseRate('100/s')).toBe(100);
    expect(parseRate('6000/m')).toBe(100);
    expect(parseRate('7200/h')).toBe(2);
    expect(parseRate('25')).toBe(25);
    expect(parseRate(12.5)).toBe(12.5);
  });

  it('rejects what is not a rate', () => {
    expect(() => parseRate('fast')).toThrow(/not a rate/);
    expect(() => parseRate('-5/s')).toThrow(/not a rate/);
    expect(() => parseRate(-1)).toThrow(/≥ 0/);
  });
});

describe('ArrivalSchedule', () => {
  it('spaces a constant rate evenly: 100/s over 10 s is exactly 1000 sends, one per 10 ms', () => {
    const schedule = new ArrivalSchedule(rampsFromStages([{ target: 100, durationMs: 10_000 }]));
    expect(schedule.totalArrivals).toBe(1000);
    const offsets = plannedOffsets(schedule);
    offsets.forEach((offset, k) => expect(offset).toBeCloseTo(k * 10, 6));
  });

  it('schedules exactly the integral of a linear ramp: 0→100/s over 10 s is 500 sends', () => {
    const schedule = new ArrivalSchedule(rampsFromStages([{ target: 100, durationMs: 10_000 }], 0));
    expect(schedule.totalArrivals).toBe(500);
    const offsets = plannedOffsets(schedule);
    // The k-th send is where the integral 5·t² (t in s) reaches k.
    for (const k of [1, 10, 125, 320, 499]) expect(offsets[k]).toBeCloseTo(Math.sqrt(k / 5) * 1000, 6);
  });

  it('counts a ramp up and a ramp down over several stages: 10→100→10/s over 10 s each is 1100 sends', () => {
    const schedule = new ArrivalSchedule(
      rampsFromStages(
        [
          { target: 100, durationMs: 10_000 },
          { target: 10, durationMs: 10_000 },
        ],
        10,
      ),
    );
    expect(schedule.totalArrivals).toBe(550 + 550);
    const offsets = plannedOffsets(schedule);
    for (let k = 1; k < offsets.length; k++) expect(offsets[k]).toBeGreaterThan(offsets[k - 1]);
    expect(offsets[offsets.length - 1]).toBeLessThan(20_000);
    // Sends in the first second of the ramp: ∫₀¹ (10 + 9t) dt = 14.5 → 15 planned before 1 s.
    expect(offsets.filter((offset) => offset < 1000)).toHaveLength(15);
  });

  it('agrees with itself: arrivalsBefore(t) is the number of planned offsets before t', () => {
    const schedule = new ArrivalSchedule(
      rampsFromStages(
        [
          { target: 10, durationMs: 3000 },
          { target: 500, durationMs: 2000 },
          { target: 0, durationMs: 1000 },
          { target: 50, durationMs: 1500 },
        ],
        0,
      ),
    );
    const offsets = plannedOffsets(schedule);
    for (let t = 0; t <= schedule.durationMs; t += 137) {
      expect(schedule.arrivalsBefore(t)).toBe(offsets.filter((offset) => offset < t).length);
    }
    expect(schedule.targetRateBetween(3000, 5000)).toBeCloseTo(255, 6);
  });

  it('is exact when asked out of order (worker strides and restarts)', () => {
    const schedule = new ArrivalSchedule(rampsFromStages([{ target: 200, durationMs: 1000 }], 0));
    const forward = plannedOffsets(schedule);
    expect(schedule.plannedOffsetMs(3)).toBeCloseTo(forward[3], 9);
    expect(schedule.plannedOffsetMs(97)).toBeCloseTo(forward[97], 9);
    expect(() => schedule.plannedOffsetMs(schedule.totalArrivals)).toThrow(RangeError);
  });
});

describe('UserSchedule', () => {
  it('ramps users linearly and holds them', () => {
    const users = new UserSchedule(
      rampsFromStages(
        [
          { target: 10, durationMs: 1000 },
          { target: 100, durationMs: 9000 },
        ],
        10,
      ),
    );
    expect(users.usersAt(500)).toBe(10);
    expect(users.usersAt(1000)).toBe(10);
    expect(users.usersAt(5500)).toBe(55);
    expect(users.usersAt(9999)).toBe(100);
    expect(users.usersAt(10_000)).toBe(0);
    expect(users.peakUsers()).toBe(100);
  });
});
