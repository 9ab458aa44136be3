import { loadCommand } from '../../../src/cli/load-command';
import { type TestServer, closedPortUrl, startServer } from './servers';

jest.setTimeout(30_000);

describe('chaos-action load', () => {
  let server: TestServer;
  let output: string[];
  beforeAll(async () => {
    server = await startServer((request, response) => response.end(request.method));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    output = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => output.push(String(chunk)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => output.push(String(chunk)) > 0);
  });
  afterEach(() => jest.restoreAllMocks());

  it('runs ramp stages and prints per-second and per-phase tables', async () => {
    const code = await loadCommand([
      '--url',
      server.url,
      '--stages',
      '20/s:1s,60/s:1s',
      '--warmup',
      '500ms',
      '--method',
      'POST',
      '--json',
      '{"a":1}',
      '--expect-body',
      'POST',
    ]);
    expect(code).toBe(0);
    const text = output.join('');
    expect(text).toMatch(/^\s*second\s+phase\s+sched/m);
    expect(text).toMatch(/^\s*warmup\s+10\s+10\s/m);
    // 20/s for 1 s, then a ramp 20→60/s over 1 s = 20 + 40 = 60 sends, 10 of them in the warm-up.
    expect(text).toMatch(/^\s*total\s+50\s+50\s/m);
    expect(server.hits()).toBe(60);
  });

  it('accepts the statuses given with --expect-status and counts the rest', async () => {
    const json = async (extra: string[]): Promise<Record<string, number>> => {
      output = [];
      const code = await loadCommand([
        '--url',
        server.url,
        '--rate',
        '20/s',
        '--duration',
        '500ms',
        '--json',
        ...extra,
      ]);
      expect(code).toBe(0);
      return (JSON.parse(output.join('')) as { total: { errors: Record<string, number> } }).total.errors;
    };
    expect(await json(['--expect-status', '200'])).toEqual({});
    expect(await json(['--expect-status', '201, 202'])).toEqual({ unexpected_status: 10 });
  });

  it('returns 2 on usage errors and bad specs, before any request', async () => {
    const before = server.hits();
    expect(await loadCommand(['--rate', '10/s'])).toBe(2);
    expect(await loadCommand(['--url', server.url, '--rate', '0/s', '--duration', '1s'])).toBe(2);
    expect(await loadCommand(['--url', server.url, '--rate', '10/s', '--duration', '-1s'])).toBe(2);
    expect(await loadCommand(['--url', server.url, '--stages', '10/s'])).toBe(2);
    expect(await loadCommand(['--url', server.url, '--bogus'])).toBe(2);
    const badStatus = ['--url', server.url, '--rate', '10/s', '--duration', '1s', '--expect-status'];
    expect(await loadCommand([...badStatus, 'ok'])).toBe(2);
    expect(await loadCommand([...badStatus, '2000'])).toBe(2);
    expect(server.hits()).toBe(before);
    expect(output.join('')).toMatch(/rate: must be > 0/);
    expect(output.join('')).toMatch(/--expect-status: "ok" is not a status code/);
    expect(output.join('')).toMatch(/expect\.status: 2000 is not an HTTP status/);
  });

  it('returns 4 (the infrastructure failed) when the target is unreachable', async () => {
    expect(await loadCommand(['--url', await closedPortUrl(), '--rate', '10/s', '--duration', '1s'])).toBe(4);
    expect(output.join('')).toMatch(/cannot reach/);
  });
});
