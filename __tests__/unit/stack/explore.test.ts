// init --explore's pure parts: the candidates it tries, how packets in each try become "reaches",
// the covering mix, and the counters read from /proc/PID/net/dev.
import {
  attribute,
  busyDependencies,
  coveringMix,
  exploredMix,
  gatherCandidates,
  receivedIpPackets,
  type Candidate,
  type Measured,
  type Try,
} from '../../../src/stack/explore';
import { linksOn } from '../../../src/stack/entry-probe';

const tries = (...packets: Record<string, number>[]): Try[] =>
  packets.map((p) => ({ answer: 200, packets: p }));

function measured(path: string, reaches: string[], answer: number | string = 200): Measured {
  const candidate: Candidate = { name: path.slice(1) || 'root', method: 'GET', path, from: 'a common path' };
  const packets = Object.fromEntries(reaches.map((d) => [d, 4]));
  return {
    candidate,
    tries: [1, 2, 3].map(() => ({ answer, packets })),
    quiet: [{}, {}, {}],
    reaches,
    sometimes: [],
    unclear: [],
  };
}

describe('linksOn', () => {
  it('keeps same-origin page links as absolute paths, without queries, fragments, assets or other hosts', () => {
    const html = `
      <a href="/posts">Posts</a> <a href='users/'>Users</a> <a href="./about">About</a>
      <a href="/posts?page=2">next</a> <a href="#top">top</a> <a href="https://example.org/x">out</a>
      <a href="//cdn.example.org/lib">cdn</a> <link href="/static/site.css"> <a href="mailto:a@b">mail</a>
      <a href="../etc/passwd">up</a> <a href="/a\u001b[31mb">escape</a> <a href="/two words">space</a>`;
    expect(linksOn(html)).toEqual(['/posts', '/users/', '/about']);
  });
});

describe('gatherCandidates', () => {
  it('tries the import first, then OpenAPI, links and common paths, each method and path once; generated values are skipped, named', () => {
    const { candidates, skipped } = gatherCandidates({
      imported: {
        source: 'traffic.har',
        requests: [
          { name: 'checkout', method: 'post', path: '/orders', json: { sku: 1 } },
          { name: 'item', path: '/items/{id}', values: { id: { range: [1, 9] } } },
        ],
      },
      openapi: { path: '/openapi.json', operations: ['/items', '/orders'] },
      links: ['/items', '/about'],
      common: ['/', '/items'],
    });
    expect(candidates.map((c) => [c.method, c.path, c.from])).toEqual([
      ['POST', '/orders', 'traffic.har'],
      ['GET', '/items', '/openapi.json'],
      ['GET', '/orders', '/openapi.json'],
      ['GET', '/about', 'a link on /'],
      ['GET', '/', 'a common path'],
    ]);
    expect(candidates[0].json).toEqual({ sku: 1 });
    expect(skipped).toEqual(['item (GET /items/{id}): its values are generated; not tried']);
  });
});

describe('attribute and busyDependencies', () => {
  const still = (n: number, d: Record<string, number> = {}) => Array.from({ length: n }, () => ({ ...d }));

  it('reaches: packets in every try and at most one quiet window; some tries only: "sometimes"', () => {
    const quiet = [
      { db: 0, cache: 0 },
      { db: 1, cache: 0 },
      { db: 0, cache: 0 },
    ];
    expect(
      attribute(tries({ db: 3, cache: 0 }, { db: 2, cache: 5 }, { db: 4, cache: 0 }), quiet, [
        'db',
        'cache',
        'queue',
      ]),
    ).toEqual({ reaches: ['db'], sometimes: ['cache'], unclear: [] });
  });

  it('packets in every try and in most quiet windows too: unclear, never "reaches"', () => {
    const quiet = [{ metrics: 2 }, { metrics: 0 }, { metrics: 3 }];
    expect(attribute(tries({ metrics: 9 }, { metrics: 9 }, { metrics: 9 }), quiet, ['metrics'])).toEqual({
      reaches: [],
      sometimes: [],
      unclear: ['metrics'],
    });
  });

  it('busy: packets in more than half of all quiet windows', () => {
    const quiet = [...still(4, { db: 0, metrics: 2 }), ...still(3, { db: 1, metrics: 0 })];
    expect(busyDependencies(quiet, ['db', 'metrics'])).toEqual(['metrics']);
    expect(busyDependencies([], ['db'])).toEqual([]);
  });

  it('no tries reach nothing', () => {
    expect(attribute([], [], ['db'])).toEqual({ reaches: [], sometimes: [], unclear: [] });
  });
});

describe('coveringMix', () => {
  it('takes the fewest requests that reach every reachable dependency, and names the rest', () => {
    const all = [
      measured('/', []),
      measured('/catalogue', ['cache']),
      measured('/checkout', ['db', 'cache']),
      measured('/search', ['search']),
    ];
    const { chosen, unreached } = coveringMix(all, ['db', 'cache', 'search', 'queue']);
    expect({ chosen: chosen.map((m) => m.candidate.path), unreached }).toEqual({
      chosen: ['/checkout', '/search'],
      unreached: ['queue'],
    });
  });

  it('prefers a user request over a health endpoint that reaches the same, and never one that failed', () => {
    const all = [measured('/healthz', ['db']), measured('/broken', ['db'], 502), measured('/posts', ['db'])];
    expect(coveringMix(all, ['db']).chosen.map((m) => m.candidate.path)).toEqual(['/posts']);
  });
});

describe('exploredMix', () => {
  it('writes each chosen request with its statuses, what it reaches, and the evidence comment', () => {
    const exploration = {
      dependencies: ['db', 'cache'],
      busy: [],
      measured: [measured('/posts', ['db'])],
      notServed: [],
    };
    expect(exploredMix(exploration)).toEqual({
      requests: [{ name: 'posts', method: 'GET', path: '/posts', expect: { status: 200 }, reaches: ['db'] }],
      comments: { posts: 'reaches db (packets in each of 3 tries; from a common path)' },
      unreached: ['cache'],
    });
  });
});

describe('receivedIpPackets', () => {
  const netDev = (lo: number, eth0: number) =>
    [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      `    lo: 8808525 ${lo}    0    0    0     0          0         0 8808525 ${lo}    0    0    0     0       0          0`,
      `  eth0:     200       ${eth0}    0    0    0     0          0         0        0       0    0    0    0     0       0          0`,
      '',
    ].join('\n');
  const snmp = (inReceives: number) =>
    [
      'Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams',
      `Ip: 1 64 ${inReceives} 0 0 0`,
      'Icmp: InMsgs InErrors',
      'Icmp: 0 0',
      '',
    ].join('\n');

  it("counts the namespace's IPv4 packets less loopback's (its own healthchecks)", () => {
    expect(receivedIpPackets(snmp(39_350), netDev(39_343, 20))).toBe(7);
  });

  it('leaves out what the interface received that is not IPv4: the IPv6 link-local traffic of a network just joined', () => {
    // As measured on the flask-redis stand-in: eth0 received 15 IPv6 packets (router
    // solicitations, multicast listener reports) and 1 IPv4; one request through the app then
    // added 7 packets on eth0, 5 of them IPv4 (the other 2 ARP).
    const before = receivedIpPackets(snmp(1), netDev(0, 16));
    const after = receivedIpPackets(snmp(6), netDev(0, 23));
    expect([before, after - before]).toEqual([1, 5]);
  });

  it('says so when the counter is missing', () => {
    expect(() => receivedIpPackets('Icmp: InMsgs\nIcmp: 0\n', netDev(0, 0))).toThrow(/InReceives/);
  });
});
