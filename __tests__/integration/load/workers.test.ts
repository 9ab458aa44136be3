// Spreading the open model over worker threads sends exactly the single-thread schedule,
// and the merged timeline and phases add up.
import { startLoad } from '../../../src/load';
import { monotonicMs } from '../../../src/util/clock';
import { type TestServer, startServer } from './servers';

jest.setTimeout(40_000);

describe('open model over worker threads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_request, response) => setTimeout(() => response.end('ok'), 20));
  });
  afterAll(() => server.close());

  it('sends the schedule once across 2 workers and merges their histograms', async () => {
    const run = await startLoad({ url: server.url, rate: '300/s', duration: '3s', workers: 2 });
    const markAt = run.t0Ms + 1500;
    const timer = setTimeout(() => run.mark('fault', markAt), markAt - monotonicMs());
    await run.done;
    clearTimeout(timer);
    const result = run.result();
    expect(result.workers).toBe(2);
    expect(result.total.scheduled).toBe(900);
    expect(server.hits()).toBe(900);
    expect(result.total.completed).toBe(900);
    expect(result.total.p50Ms).toBeGreaterThanOrEqual(20);
    expect(result.total.p50Ms).toBeLessThan(40);
    expect(result.timeline.map((point) => point.scheduled)).toEqual([300, 300, 300]);
    // The mark reaches the workers as a message: a send planned in the same instant may be
    // filed on either side of the boundary.
    expect(result.phases.map((phase) => phase.phase)).toEqual(['baseline', 'fault']);
    expect(Math.abs(result.phases[0].scheduled - 450)).toBeLessThanOrEqual(3);
    expect(result.phases[0].scheduled + result.phases[1].scheduled).toBe(900);
  });
});
