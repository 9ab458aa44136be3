// Acceptance: a 1 s stall inside a 10 s run at 200 req/s cannot hide. The open model keeps
// sending on schedule while the server holds every response, and each request is timed
// from its planned send, so the stall shows in p99 and in the second where it happened.
import { startLoad } from '../../../src/load';
import { monotonicMs } from '../../../src/util/clock';
import { type TestServer, startServer } from './servers';

jest.setTimeout(40_000);

const RATE = 200;
const DURATION_S = 10;
const STALL_FROM_S = 4;
const STALL_MS = 1000;

describe('open model under a stall', () => {
  let server: TestServer;
  let stallStartMs = Infinity;

  beforeAll(async () => {
    // Responses are held until the stall ends (same monotonic clock as the generator).
    server = await startServer((_request, response) => {
      const now = monotonicMs();
      const stallEndMs = stallStartMs + STALL_MS;
      if (now >= stallStartMs && now < stallEndMs) setTimeout(() => response.end('ok'), stallEndMs - now);
      else response.end('ok');
    });
  });
  afterAll(() => server.close());

  it('reports the stall in p99, in the right second and in the fault phase, with every send on schedule', async () => {
    const run = await startLoad({ url: server.url, rate: `${RATE}/s`, duration: `${DURATION_S}s` });
    stallStartMs = run.t0Ms + STALL_FROM_S * 1000;
    const markAt = (phase: 'fault' | 'recovery', atMs: number): NodeJS.Timeout =>
      setTimeout(() => run.mark(phase, atMs), Math.max(0, atMs - monotonicMs()));
    const timers = [markAt('fault', stallStartMs), markAt('recovery', stallStartMs + STALL_MS)];
    await run.done;
    timers.forEach(clearTimeout);
    const result = run.result();

    const expected = RATE * DURATION_S;
    expect(result.total.scheduled).toBe(expected);
    expect(Math.abs(server.hits() - expected)).toBeLessThanOrEqual(expected * 0.01);
    expect(result.total.completed).toBe(expected);
    expect(result.total.errorRate).toBe(0);
    expect(result.total.p99Ms).toBeGreaterThanOrEqual(900);
    expect(result.total.p50Ms).toBeLessThan(100);

    const bySecond = new Map(result.timeline.map((point) => [point.second, point]));
    const stalled = bySecond.get(STALL_FROM_S)!;
    expect(stalled.scheduled).toBe(RATE);
    expect(stalled.p95Ms).toBeGreaterThanOrEqual(800);
    expect(stalled.p50Ms).toBeGreaterThanOrEqual(350);
    expect(stalled.phase).toBe('fault');
    for (const second of [1, 2, 3, 6, 7, 8]) {
      expect(bySecond.get(second)!.scheduled).toBe(RATE);
      expect(bySecond.get(second)!.p95Ms).toBeLessThan(300);
    }

    const fault = result.phases.find((phase) => phase.phase === 'fault')!;
    expect(fault.scheduled).toBe(RATE);
    expect(fault.p50Ms).toBeGreaterThanOrEqual(350);
    expect(result.phases.find((phase) => phase.phase === 'baseline')!.p95Ms).toBeLessThan(300);
  });
});
