// Acceptance: the closed model. 100 users thinking 1 s each give about 100 req/s, and a
// user ramp is followed within 5 %.
import { startLoad } from '../../../src/load';
import type { LoadTimelinePoint } from '../../../src/load';
import { type TestServer, startServer } from './servers';

jest.setTimeout(40_000);

const sentIn = (timeline: LoadTimelinePoint[], fromSecond: number, toSecond: number): number =>
  timeline
    .filter((point) => point.second >= fromSecond && point.second < toSecond)
    .reduce((sum, point) => sum + point.scheduled, 0);

describe('closed model', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_request, response) => response.end('ok'));
  });
  afterAll(() => server.close());

  it('100 users with 1 s think time send about 100 req/s', async () => {
    const run = await startLoad({ url: server.url, users: 100, think: '1s', duration: '4s' });
    await run.done;
    const result = run.result();
    expect(result.model).toBe('closed');
    expect(result.total.targetRate).toBeNull();
    // Each user sends once per (think + latency): 400 sends over 4 s, less ~0.5 % of latency.
    expect(result.total.scheduled).toBeGreaterThanOrEqual(380);
    expect(result.total.scheduled).toBeLessThanOrEqual(404);
    expect(result.total.achievedRate).toBeGreaterThanOrEqual(95);
    expect(result.total.achievedRate).toBeLessThanOrEqual(101);
    for (const point of result.timeline.filter((p) => p.second >= 1 && p.second < 4)) {
      expect(point.scheduled).toBeGreaterThanOrEqual(90);
      expect(point.scheduled).toBeLessThanOrEqual(110);
    }
    expect(result.total.errorRate).toBe(0);
  });

  it('follows a ramp of users within 5 %', async () => {
    // 20 users for 2 s, a linear ramp to 100 over 4 s, 100 users for 2 s; 1 s think.
    const run = await startLoad({
      url: server.url,
      think: '1s',
      startUsers: 20,
      userStages: [
        { users: 20, duration: '2s' },
        { users: 100, duration: '4s' },
        { users: 100, duration: '2s' },
      ],
    });
    await run.done;
    const { timeline, total } = run.result();
    const expectWithin5Percent = (actual: number, expected: number): void => {
      expect(actual).toBeGreaterThanOrEqual(expected * 0.95);
      expect(actual).toBeLessThanOrEqual(expected * 1.05);
    };
    // Sends expected = ∫ users(t) / think dt over each stage.
    expectWithin5Percent(sentIn(timeline, 0, 2), 40);
    expectWithin5Percent(sentIn(timeline, 2, 6), 240);
    expectWithin5Percent(sentIn(timeline, 6, 8), 200);
    expectWithin5Percent(total.scheduled, 480);
  });
});
