// The baseline file is checked before anything starts: `chaos-action run --baseline BAD` exits 2
// in well under a second with `file:line: field: message`, and never echoes the file's content.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand } from '../../../src/cli/run-command';
import { locateJsonError, readBaselineFile } from '../../../src/report/baseline-file';
import { ConfigError } from '../../../src/config/errors';
import { buildRun as sampleRunResult } from '../../helpers/sample-results';

const dir = mkdtempSync(path.join(tmpdir(), 'baseline-file-'));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const compose = path.join(__dirname, '../../../examples/fraud-api/docker-compose.yml');

async function cli(...argv: string[]): Promise<{ code: number; stderr: string; ms: number }> {
  let stderr = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const started = performance.now();
  try {
    const code = await runCommand(argv);
    return { code, stderr, ms: performance.now() - started };
  } finally {
    spy.mockRestore();
  }
}

describe('chaos-action run --baseline-results', () => {
  it('refuses a results file whose scenarios is not a list: exit 2, file:line: field: message, under a second', async () => {
    const file = write('notalist.json', '{"schemaVersion":1,"scenarios":"notalist"}');
    const { code, stderr, ms } = await cli(
      '--compose-file',
      compose,
      '--baseline-results',
      file,
      '--scenarios',
      'redis-failure',
    );
    expect(code).toBe(2);
    expect(stderr.split('\n')).toContain(`${file}:1: scenarios: expected a list, got a string`);
    expect(ms).toBeLessThan(1000);
  });

  it('names the line and column of a JSON error, without quoting the file', async () => {
    const file = write('broken.json', '{"schemaVersion": 1,\n  "scenarios": [1,]\n, "token": "ghs_secret"}');
    const { code, stderr } = await cli('--compose-file', compose, '--baseline-results', file);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      `${file}:2: not JSON: unexpected ']' (line 2, column 19)\nchaos-action run: 1 configuration error`,
    );
    expect(stderr).not.toContain('ghs_secret');
    expect(stderr).not.toContain('schemaVersion');
  });
});

describe('readBaselineFile', () => {
  it('accepts a results.json the tool writes', () => {
    const file = write('good.json', JSON.stringify(sampleRunResult()));
    expect(readBaselineFile(file)?.schemaVersion).toBe(1);
  });

  it('leaves a missing file to the engine (a first run has no nightly artifact)', () => {
    expect(readBaselineFile(path.join(dir, 'absent.json'))).toBeNull();
  });

  it('names the line of a field of the wrong type', () => {
    const result = sampleRunResult();
    const text = JSON.stringify(
      { ...result, scenarios: [{ ...result.scenarios[0], outcome: 'great' }] },
      null,
      2,
    );
    const file = write('outcome.json', text);
    let error: unknown;
    try {
      readBaselineFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [issue] = (error as ConfigError).issues;
    expect(issue.field).toBe('scenarios[0].outcome');
    expect(text.split('\n')[(issue.line as number) - 1]).toContain('"outcome": "great"');
  });

  it('refuses another schema version', () => {
    const file = write('v2.json', JSON.stringify({ ...sampleRunResult(), schemaVersion: 2 }));
    expect(() => readBaselineFile(file)).toThrow(/schemaVersion/);
  });
});

describe('locateJsonError', () => {
  it.each([
    ['{"a":1,}', 7, "expected a string, found '}'"],
    ['xyz secret', 0, "unexpected 'x'"],
    ['', 0, 'unexpected the end of the file'],
    ['{"a":1}}', 7, "unexpected '}' after the JSON value"],
    ['[1,2', 4, "expected ',' or ']' after an array element, found the end of the file"],
    ['"abc', 4, 'unterminated string'],
  ])('%j → offset %d', (text, offset, message) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toEqual({ offset, message });
  });
});
