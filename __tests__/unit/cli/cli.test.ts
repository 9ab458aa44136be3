// The command line as a person meets it: --version, help and help COMMAND, one error prefix,
// validate --json, and errors that say what is wrong once (no usage dumped around them).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/cli';
import { commandHelp, overview } from '../../../src/cli/help';
import { loadCommand } from '../../../src/cli/load-command';
import { EXIT } from '../../../src/results/gate';

const root = path.resolve(__dirname, '../../..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('chaos-action', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(root));
  afterAll(() => process.chdir(cwd));

  it('prints its version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('prints a command\'s help for "help COMMAND", as for COMMAND --help', async () => {
    const help = await cli(['help', 'run']);
    expect(help).toEqual({ code: 0, out: `${commandHelp('run')}\n`, err: '' });
    expect(help.out).toMatch(/^usage: chaos-action run /);
    expect((await cli(['run', '--help'])).out).toBe(help.out);
    expect(await cli(['help'])).toEqual({ code: 0, out: `${overview()}\n`, err: '' });
  });

  it('names an unknown command or help topic, exit 2', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(EXIT.configuration);
    expect(unknown.err).toBe(
      'chaos-action: unknown command "frobnicate" (commands: init, run, calibrate, validate, list, cleanup, load, render, judge; chaos-action help)\n',
    );
    expect((await cli(['help', 'frobnicate'])).code).toBe(EXIT.configuration);
    const none = await cli([]);
    expect(none.code).toBe(EXIT.configuration);
    expect(none.err).toBe(`${overview()}\n`);
  });

  it('says a usage error once, under the one prefix, with where to find the options', async () => {
    const r = await cli([
      'render',
      'k8s',
      '--namespace',
      'shop',
      '--out',
      'x',
      '--service-map',
      'api=app=web',
    ]);
    expect(r.code).toBe(EXIT.configuration);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      "chaos-action render: --target-url is required\nchaos-action render: run 'chaos-action help render' for its options\n",
    );
  });

  it('validate --json: every file checked and every problem, as one document', async () => {
    const good = await cli(['validate', '--json', 'scenarios/load-test.yml']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({
      valid: true,
      checked: [{ file: 'scenarios/load-test.yml', what: 'load-test' }],
      errors: [],
    });
    const bad = await cli([
      'validate',
      '--json',
      '--builtin-scenarios=false',
      '__tests__/fixtures/bad-scenarios/unknown-key.yml',
    ]);
    expect(bad.code).toBe(EXIT.configuration);
    expect(bad.err).toBe('');
    expect(JSON.parse(bad.out)).toEqual({
      valid: false,
      checked: [],
      notes: [],
      errors: [
        {
          file: '__tests__/fixtures/bad-scenarios/unknown-key.yml',
          line: 11,
          field: 'phase',
          message: 'unknown key (did you mean "phases"?)',
        },
      ],
    });
  });

  it('list --json=false prints the table, not JSON', async () => {
    const r = await cli(['list', '--json=false', '--suite', 'default']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NAME +TARGET/);
  });
});

describe('chaos-action load', () => {
  it('still takes --json BODY, as --request-json, with a notice', async () => {
    let err = '';
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      expect(
        await loadCommand(['--url', 'http://127.0.0.1:9', '--json', '{"user_id":', '--rate', '1/s']),
      ).toBe(EXIT.configuration);
    } finally {
      e.mockRestore();
    }
    expect(err.split('\n')).toEqual([
      'chaos-action load: note: --json BODY is deprecated: use --request-json BODY (--json now prints the result as JSON)',
      'chaos-action load: --request-json: not valid JSON: {"user_id":',
      "chaos-action load: run 'chaos-action help load' for its options",
      '',
    ]);
  });
});
