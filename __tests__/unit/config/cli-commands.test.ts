// validate and list, run in-process: their output and exit codes (no Docker involved).
import * as path from 'node:path';
import { listCommand } from '../../../src/cli/list-command';
import { validateCommand } from '../../../src/cli/validate-command';

const root = path.resolve(__dirname, '../../..');

async function run(fn: (argv: string[]) => Promise<number>, argv: string[]) {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await fn(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('chaos-action validate', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(root));
  afterAll(() => process.chdir(cwd));

  it('checks the built-ins by default', async () => {
    const r = await run(validateCommand, ['validate']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok scenarios/redis-failure.yml (redis-failure)\n');
    expect(r.out).toContain('ok scenarios/suites.yml (suite full)\n');
    expect(r.err).toBe('');
  });

  it('prints file:line errors and exits 2', async () => {
    const r = await run(validateCommand, [
      'validate',
      'scenarios/load-test.yml',
      '__tests__/fixtures/bad-scenarios/unknown-key.yml',
    ]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('ok scenarios/load-test.yml (load-test)\n');
    expect(r.err).toBe(
      '__tests__/fixtures/bad-scenarios/unknown-key.yml:11: phase: unknown key (did you mean "phases"?)\nchaos-action validate: 1 error\n',
    );
  });

  it('rejects unknown options and missing files', async () => {
    expect((await run(validateCommand, ['--strict'])).code).toBe(2);
    const r = await run(validateCommand, ['nope.yml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('nope.yml: no such file or directory');
  });
});

describe('chaos-action list', () => {
  it('lists scenarios with target, fault and suites', async () => {
    const r = await run(listCommand, ['list']);
    expect(r.code).toBe(0);
    const line = r.out.split('\n').find((l) => l.startsWith('otel-collector-failure')) ?? '';
    expect(line).toMatch(/role telemetry\s+stop 30s\s+default, weekly, full\s+OTel Collector failure/);
  });

  it('names every fault of a multi-fault scenario, with its target and start', async () => {
    const r = await run(listCommand, ['list']);
    const line = r.out.split('\n').find((l) => l.startsWith('game-day')) ?? '';
    expect(line).toMatch(
      /role cache, role metrics\s+stop 40s on role cache at \+0s; stop 15s on role metrics at \+\d+s\s+game-day/,
    );
  });

  it('filters by suite and prints JSON', async () => {
    const r = await run(listCommand, ['--suite', 'default', '--json']);
    expect(JSON.parse(r.out).map((s: { name: string; suites: string[] }) => [s.name, s.suites])).toEqual([
      ['otel-collector-failure', ['default', 'weekly', 'full']],
      ['load-test', ['default', 'full']],
    ]);
  });

  it('exits 2 on an unknown suite', async () => {
    const r = await run(listCommand, ['--suite', 'nightly']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('suite: unknown suite "nightly"');
  });
});
