import { buildWheel, entryOf, prepareMix, MAX_TOTAL_WEIGHT } from '../../../src/load/mix';
import type { MixRequestSpec } from '../../../src/load/types';

const URL = 'http://127.0.0.1:8080';

function mixOf(requests: MixRequestSpec[]) {
  const problems: string[] = [];
  const mix = prepareMix({ url: URL, requests }, problems);
  return { mix, problems };
}

describe('the mix', () => {
  it('spreads each request evenly over the wheel, in proportion to its weight', () => {
    const { wheel, ordinals } = buildWheel([3, 1]);
    expect([...wheel]).toEqual([0, 0, 1, 0]);
    expect([...ordinals]).toEqual([0, 1, 0, 2]);
    const wide = buildWheel([5, 3, 2]).wheel;
    // Every window of the wheel's length holds each request exactly its weight times.
    for (const [entry, weight] of [5, 3, 2].entries())
      expect([...wide].filter((e) => e === entry)).toHaveLength(weight);
    // ... and no request runs far ahead of its share within the turn.
    let seen = [0, 0, 0];
    wide.forEach((entry, slot) => {
      seen = seen.map((n, e) => n + (e === entry ? 1 : 0));
      [5, 3, 2].forEach((weight, e) =>
        expect(Math.abs(seen[e] - ((slot + 1) * weight) / 10)).toBeLessThan(1),
      );
    });
  });

  it("numbers each request's sends from 0 across turns of the wheel, so values follow the schedule", () => {
    const { mix } = mixOf([
      { name: 'a', weight: 3, path: '/a/{{n}}', values: { n: { kind: 'sequence', from: 0, step: 1 } } },
      { name: 'b', path: '/b' },
    ]);
    const sends = Array.from({ length: 8 }, (_, k) => entryOf(mix!, k));
    expect(sends.filter((s) => s.entry === 0).map((s) => s.ordinal)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sends.filter((s) => s.entry === 1).map((s) => s.ordinal)).toEqual([0, 1]);
    const paths = sends.map((s) => mix!.entries[s.entry].request.bytes(s.ordinal).toString().split(' ')[1]);
    expect(paths).toEqual(['/a/0', '/a/1', '/b', '/a/2', '/a/3', '/a/4', '/b', '/a/5']);
  });

  it('names a single request by its method and path', () => {
    const problems: string[] = [];
    const mix = prepareMix({ url: `${URL}/v1/predict`, request: { method: 'post' } }, problems);
    expect(problems).toEqual([]);
    expect(mix?.entries.map((e) => e.name)).toEqual(['POST /v1/predict']);
    expect(mix?.wheel.length).toBe(1);
  });

  it("keeps each request's own expectation", () => {
    const { mix } = mixOf([
      { name: 'read', path: '/r', expect: { status: [200, 404] } },
      { name: 'write', method: 'POST', path: '/w', json: {}, expect: { bodyContains: 'ok' } },
    ]);
    expect([...(mix!.entries[0].acceptedStatuses ?? [])]).toEqual([200, 404]);
    expect(mix!.entries[0].bodyCheck).toBeNull();
    expect(mix!.entries[1].bodyCheck).toEqual({ bodyContains: 'ok' });
  });

  it('refuses unnamed and twice-named requests, bad weights, and another origin, each by its place in the list', () => {
    const { mix, problems } = mixOf([
      { name: '', path: '/a' },
      { name: 'b', path: '/b', weight: 0 },
      { name: 'b', path: 'http://elsewhere:9/x' },
      { name: 'c', path: '/c/{{x}}' },
    ]);
    expect(mix).toBeNull();
    expect(problems).toEqual([
      'requests[0].name: every request of a mix has a name',
      'requests[2].name: "b" is used twice',
      'requests[1].weight: must be a whole number from 1 to 10000 (got 0)',
      'requests[2].path: http://elsewhere:9/x points to another origin than url',
      'requests[3]: {{x}} names no value (the request has no values:)',
    ]);
    expect(mixOf([{ name: 'a', weight: MAX_TOTAL_WEIGHT }, { name: 'b' }]).problems).toEqual([
      'requests: the weights add up to 10001; at most 10000 (give them as shares, e.g. 9 and 1)',
    ]);
  });

  it('refuses a mix beside a single request', () => {
    const problems: string[] = [];
    expect(prepareMix({ url: URL, request: {}, requests: [{ name: 'a' }] }, problems)).toBeNull();
    expect(problems).toEqual([
      'give requests (a mix, each with its own expect) or request with expect, not both',
    ]);
  });
});
