// Acceptance: the closed model. 100 users thinking 1 s each give about 100 req/s, a user ramp
// is followed within 5 %, and two runs taking turns (interleave) send each in its own seconds.
import { startLoad } from '../../../src/load';
import { monotonicMs } from '../../../src/util/clock';
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

  it('takes turns (interleave): two runs on one start send each in its own seconds only, at the full rate there', async () => {
    // As the paired rendezvous does: room for both pre-connects before the agreed start.
    const startAtMs = monotonicMs() + 1000;
    const spec = { url: server.url, users: 50, think: '1s', duration: '4s' };
    const [even, odd] = await Promise.all([
      startLoad({ ...spec, interleave: { slot: 0, startAtMs } }),
      startLoad({ ...spec, interleave: { slot: 1, startAtMs } }),
    ]);
    expect(even.loadStartMs).toBe(startAtMs);
    expect(odd.loadStartMs).toBe(startAtMs);
    await Promise.all([even.done, odd.done]);
    const perSecond = (timeline: LoadTimelinePoint[]): number[] =>
      [0, 1, 2, 3].map((second) => sentIn(timeline, second, second + 1));
    const evenSent = perSecond(even.result().timeline);
    const oddSent = perSecond(odd.result().timeline);
    // Requests are filed by their planned second, and a run plans none in the other's seconds.
    expect([evenSent[1], evenSent[3], oddSent[0], oddSent[2]]).toEqual([0, 0, 0, 0]);
    // In its own seconds each user sends at most once (1 s think) …
    for (const sent of [evenSent[0], evenSent[2], oddSent[1], oddSent[3]])
      expect(sent).toBeLessThanOrEqual(50);
    // … and once every user has joined (the even run's first second holds only those that joined
    // in it, which a slow start shortens), most users do.
    for (const sent of [evenSent[2], oddSent[1], oddSent[3]]) expect(sent).toBeGreaterThanOrEqual(25);
    expect(even.result().total.errorRate).toBe(0);
    expect(odd.result().total.errorRate).toBe(0);
  });
});
