// Results are never written through a symlink: a symlinked results directory is refused (before
// the run, and again when writing), and a symlink planted at a result file's name is replaced,
// its target left as it was.
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand } from '../../../src/cli/run-command';
import { ConfigError } from '../../../src/config/errors';
import { writeResultFiles } from '../../../src/report/files';
import { buildRun } from '../../helpers/sample-results';

const compose = path.join(__dirname, '../../../examples/fraud-api/docker-compose.yml');

describe('result files and symlinks', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'results-symlinks-'));
  });

  it('refuses a results directory that is a symlink, and writes nothing where it points', async () => {
    const elsewhere = path.join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const dir = path.join(work, 'chaos-results');
    symlinkSync(elsewhere, dir);
    const attempt = writeResultFiles(buildRun(), dir);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(
      `${dir}: the results directory is a symlink (to ${elsewhere}); results are not written through symlinks: give a real directory`,
    );
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('replaces a symlink planted at a file name instead of writing through it', async () => {
    const dir = path.join(work, 'chaos-results');
    mkdirSync(dir);
    const victim = path.join(work, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    for (const name of ['results.json', 'report.md', 'junit.xml', 'metrics.prom'])
      symlinkSync(victim, path.join(dir, name));
    const files = await writeResultFiles(buildRun(), dir);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    for (const file of [files.resultsJson, files.report, files.junit, files.metrics as string]) {
      expect(lstatSync(file).isSymbolicLink()).toBe(false);
    }
    expect(JSON.parse(readFileSync(files.resultsJson, 'utf8')).schemaVersion).toBe(1);
    // No temporary file is left behind.
    expect(readdirSync(dir).sort()).toEqual(['junit.xml', 'metrics.prom', 'report.md', 'results.json']);
  });

  it('chaos-action run refuses a symlinked --results before anything starts (exit 2)', async () => {
    const elsewhere = path.join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const dir = path.join(work, 'linked-results');
    symlinkSync(elsewhere, dir);
    let stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    try {
      expect(await runCommand(['--compose', compose, '--results', dir])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain(`${dir}: the results directory is a symlink`);
  });
});
