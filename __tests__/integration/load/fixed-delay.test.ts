// Acceptance: against a server that answers after exactly 50 ms, p50 is 50–60 ms (a
// rate-mode tool that corrects coordinated omission wrongly reports about half of that).
import { startLoad } from '../../../src/load';
import { type TestServer, startServer } from './servers';

jest.setTimeout(30_000);

describe('open model against a fixed 50 ms delay', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_request, response) => setTimeout(() => response.end('ok'), 50));
  });
  afterAll(() => server.close());

  it('reports p50 between 50 and 60 ms', async () => {
    const run = await startLoad({ url: server.url, rate: '100/s', duration: '4s', warmup: '500ms' });
    await run.done;
    const { total } = run.result();
    expect(total.scheduled).toBe(350);
    expect(total.p50Ms).toBeGreaterThanOrEqual(50);
    expect(total.p50Ms).toBeLessThanOrEqual(60);
    expect(total.targetRate).toBeCloseTo(100, 0);
    expect(server.hits()).toBe(400);
  });
});
