import { Timeline } from '../../../src/load/timeline';

const ORIGIN = 10_000;

function timeline(warmupMs = 0): Timeline {
  return new Timeline({
    originMs: ORIGIN,
    loadStartMs: ORIGIN,
    warmupEndMs: ORIGIN + warmupMs,
    initialPhase: 'baseline',
    lateToleranceMs: 10,
    targetRate: () => 100,
  });
}

/** Schedules one request per 10 ms over [fromMs, toMs) (offsets from t0), each taking latencyMs. */
function load(
  line: Timeline,
  fromMs: number,
  toMs: number,
  latencyMs: number,
  error: 'non2xx' | null = null,
): void {
  for (let offset = fromMs; offset < toMs; offset += 10) {
    const slot = line.schedule(ORIGIN + offset, ORIGIN + offset);
    line.complete(slot, latencyMs, error);
  }
}

describe('Timeline', () => {
  it('splits requests into phases by their planned send time', () => {
    const line = timeline();
    load(line, 0, 2000, 5);
    line.mark('fault', ORIGIN + 2000);
    load(line, 2000, 3000, 800);
    line.mark('recovery', ORIGIN + 3000);
    load(line, 3000, 4000, 5);
    line.finish(ORIGIN + 4000);

    const phases = line.phases(ORIGIN + 4000);
    expect(phases.map((phase) => [phase.phase, phase.scheduled, phase.startMs, phase.endMs])).toEqual([
      ['baseline', 200, 0, 2000],
      ['fault', 100, 2000, 3000],
      ['recovery', 100, 3000, 4000],
    ]);
    expect(phases[0].p99Ms).toBeCloseTo(5, 1);
    expect(phases[1].p50Ms).toBeCloseTo(800, -1);
    expect(phases[2].p99Ms).toBeCloseTo(5, 1);
    expect(phases[1].achievedRate).toBeCloseTo(100, 6);
    const total = line.totals(ORIGIN + 4000);
    expect(total.scheduled).toBe(400);
    expect(total.p95Ms).toBeCloseTo(800, -1);
  });

  it('files a request by planned time even when it completes in the next phase', () => {
    const line = timeline();
    const slot = line.schedule(ORIGIN + 990, ORIGIN + 990);
    line.mark('fault', ORIGIN + 1000);
    line.complete(slot, 1500, null);
    line.finish(ORIGIN + 2000);
    const [baseline, fault] = line.phases(ORIGIN + 2000);
    expect(baseline.completed).toBe(1);
    expect(baseline.maxMs).toBeCloseTo(1500, -1);
    expect(fault.completed).toBe(0);
    expect(line.points()[0].p95Ms).toBeCloseTo(1500, -1);
  });

  it('files requests sent before a late mark by the mark time, not by the call', () => {
    const line = timeline();
    const slots = [900, 1000, 1010, 1020].map((offset) => line.schedule(ORIGIN + offset, ORIGIN + offset));
    line.mark('fault', ORIGIN + 1000); // called after the sends planned at 1000–1020 went out
    slots.forEach((slot) => line.complete(slot, 5, null));
    line.finish(ORIGIN + 2000);
    expect(line.phases(ORIGIN + 2000).map((phase) => [phase.phase, phase.scheduled])).toEqual([
      ['baseline', 1],
      ['fault', 3],
    ]);
  });

  it('keeps the warm-up out of the run totals but reports it as its own phase', () => {
    const line = timeline(1000);
    load(line, 0, 1000, 300);
    load(line, 1000, 2000, 5);
    line.finish(ORIGIN + 2000);
    const total = line.totals(ORIGIN + 2000);
    expect(total.scheduled).toBe(100);
    expect(total.maxMs).toBeLessThan(10);
    expect(
      line
        .phases(ORIGIN + 2000)
        .map((phase) => [phase.phase, phase.scheduled, phase.endMs, phase.achievedRate]),
    ).toEqual([
      ['warmup', 100, 1000, 100],
      ['baseline', 100, 2000, 100],
    ]);
  });

  it('counts errors, drops and late sends over scheduled requests', () => {
    const line = timeline();
    load(line, 0, 500, 5);
    load(line, 500, 1000, 5, 'non2xx');
    for (let i = 0; i < 25; i++) line.drop(ORIGIN + 100 + i);
    const lateSlot = line.schedule(ORIGIN + 200, ORIGIN + 260);
    line.complete(lateSlot, 70, null);
    line.finish(ORIGIN + 1000);
    const total = line.totals(ORIGIN + 1000);
    expect(total.scheduled).toBe(126);
    expect(total.errors).toEqual({ non2xx: 50, dropped: 25 });
    expect(total.errorRate).toBeCloseTo(75 / 126, 9);
    expect(total.late).toBe(1);
    expect(total.lateFraction).toBeCloseTo(1 / 101, 9);
    expect(total.generatorLimited).toBe(false);
  });

  it('flags a window where the generator itself was late', () => {
    const line = timeline();
    for (let offset = 0; offset < 1000; offset += 10) {
      const slot = line.schedule(ORIGIN + offset, ORIGIN + offset + (offset % 100 === 0 ? 50 : 0));
      line.complete(slot, 5, null);
    }
    line.finish(ORIGIN + 1000);
    expect(line.totals(ORIGIN + 1000).lateFraction).toBeCloseTo(0.1, 9);
    expect(line.totals(ORIGIN + 1000).generatorLimited).toBe(true);
  });

  it('answers windows over sealed and live seconds alike', () => {
    const line = timeline();
    load(line, 0, 3000, 5);
    load(line, 3000, 4000, 600, 'non2xx');
    expect(line.sealFinished(ORIGIN + 3500).map((sealed) => sealed.second)).toEqual([0, 1]);
    const recent = line.window(ORIGIN + 2000, ORIGIN + 4000);
    expect(recent.scheduled).toBe(200);
    expect(recent.errorRate).toBeCloseTo(0.5, 9);
    expect(recent.p50Ms).toBeCloseTo(5, 0);
    expect(recent.maxMs).toBeCloseTo(600, -1);
    const early = line.window(ORIGIN, ORIGIN + 2000);
    expect(early.scheduled).toBe(200);
    expect(early.maxMs).toBeCloseTo(5, 0);
    const points = line.points();
    expect(points.map((point) => point.scheduled)).toEqual([100, 100, 100, 100]);
    expect(points[3].errorRate).toBe(1);
    expect(points[3].p95Ms).toBeCloseTo(600, -1);
  });

  it('merges seconds and phases recorded by other threads', () => {
    const main = timeline();
    const parts = [timeline(), timeline()];
    main.mark('fault', ORIGIN + 1000);
    parts.forEach((part, index) => {
      load(part, index * 5, 1000, 5 + index * 100);
      part.mark('fault', ORIGIN + 1000);
      load(part, 1000 + index * 5, 2000, 5 + index * 100);
    });
    for (const part of parts) {
      for (const sealed of part.finish(ORIGIN + 2000)) main.absorbSecond(sealed);
      main.absorbPhases(part.exportPhases());
    }
    main.finish(ORIGIN + 2000);
    expect(main.points().map((point) => point.scheduled)).toEqual([200, 200]);
    const phases = main.phases(ORIGIN + 2000);
    expect(phases.map((phase) => [phase.phase, phase.scheduled])).toEqual([
      ['baseline', 200],
      ['fault', 200],
    ]);
    expect(phases[1].p50Ms).toBeCloseTo(5, 0);
    expect(phases[1].p99Ms).toBeCloseTo(105, 0);
    expect(main.totals(ORIGIN + 2000).scheduled).toBe(400);
  });
});

describe('Timeline with a mix of requests', () => {
  function mixTimeline(): Timeline {
    return new Timeline({
      originMs: ORIGIN,
      loadStartMs: ORIGIN,
      warmupEndMs: ORIGIN + 1000,
      initialPhase: 'baseline',
      lateToleranceMs: 10,
      targetRate: () => 100,
      requests: [
        { name: 'read', share: 0.75 },
        { name: 'write', share: 0.25 },
      ],
    });
  }

  it('counts each request beside the total, in every phase and for the run without the warm-up', () => {
    const line = mixTimeline();
    // One send each 10 ms: three reads (5 ms) then one write (50 ms, failing in the fault).
    const send = (fromMs: number, toMs: number, writeError: 'non2xx' | null): void => {
      for (let offset = fromMs, k = 0; offset < toMs; offset += 10, k++) {
        const entry = k % 4 === 3 ? 1 : 0;
        const slot = line.schedule(ORIGIN + offset, ORIGIN + offset, entry);
        line.complete(slot, entry === 1 ? 50 : 5, entry === 1 ? writeError : null);
      }
    };
    send(0, 3000, null);
    line.mark('fault', ORIGIN + 3000);
    send(3000, 4000, 'non2xx');
    line.finish(ORIGIN + 4000);
    const [warmup, baseline, fault] = line.phases(ORIGIN + 4000);
    expect(warmup.requests?.map((r) => [r.name, r.scheduled])).toEqual([
      ['read', 75],
      ['write', 25],
    ]);
    expect(baseline.requests?.map((r) => [r.name, r.scheduled, r.errorRate])).toEqual([
      ['read', 150, 0],
      ['write', 50, 0],
    ]);
    expect(fault.errorRate).toBeCloseTo(0.25, 6);
    const [read, write] = fault.requests ?? [];
    expect({ read: read.errorRate, write: write.errorRate, writeErrors: write.errors }).toEqual({
      read: 0,
      write: 1,
      writeErrors: { non2xx: 25 },
    });
    expect(read.p95Ms).toBeCloseTo(5, 1);
    expect(write.p50Ms).toBeCloseTo(50, 0);
    // A request's target rate is its share of the whole.
    expect([read.targetRate, write.targetRate]).toEqual([75, 25]);
    const total = line.totals(ORIGIN + 4000);
    expect(total.requests?.map((r) => [r.name, r.scheduled])).toEqual([
      ['read', 225],
      ['write', 75],
    ]);
  });

  it('counts a dropped send against its request', () => {
    const line = mixTimeline();
    line.drop(ORIGIN + 1500, 1);
    line.finish(ORIGIN + 2000);
    const baseline = line.phases(ORIGIN + 2000)[1];
    expect(baseline.requests?.[1].errors).toEqual({ dropped: 1 });
    expect(baseline.requests?.[0].scheduled).toBe(0);
  });

  it("merges each request's figures shipped by a worker thread", () => {
    const worker = mixTimeline();
    const slot = worker.schedule(ORIGIN + 1500, ORIGIN + 1500, 1);
    worker.complete(slot, 20, null);
    worker.finish(ORIGIN + 2000);
    const main = mixTimeline();
    main.absorbPhases(worker.exportPhases());
    main.finish(ORIGIN + 2000);
    expect(main.phases(ORIGIN + 2000)[1].requests?.map((r) => r.scheduled)).toEqual([0, 1]);
    expect(main.totals(ORIGIN + 2000).requests?.[1].p50Ms).toBeCloseTo(20, 0);
  });

  it('keeps no per-request figures for a single request: they would be the total', () => {
    const line = timeline();
    load(line, 0, 100, 5);
    line.finish(ORIGIN + 100);
    expect(line.phases(ORIGIN + 100)[0].requests).toBeUndefined();
    expect(line.totals(ORIGIN + 100).requests).toBeUndefined();
  });
});
