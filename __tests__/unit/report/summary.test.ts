import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobSummaryWritten, writeJobSummary } from '../../../src/report/summary';

describe('job summary', () => {
  let stdout: string[];
  beforeEach(() => {
    stdout = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    delete process.env.GITHUB_STEP_SUMMARY;
  });

  it('outside GitHub Actions (no GITHUB_STEP_SUMMARY): a clear log line, no error, nothing written', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    await expect(writeJobSummary('# report')).resolves.toBe(false);
    expect(stdout.join('')).toContain('Job summary skipped: GITHUB_STEP_SUMMARY is not set');
    expect(jobSummaryWritten()).toBe(false);
  });

  it('appends the markdown to the summary file', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'summary-')), 'step_summary.md');
    await writeFile(path, 'earlier step\n');
    process.env.GITHUB_STEP_SUMMARY = path;
    await expect(writeJobSummary('### ✅ chaos gate passed\n\n| a | b |')).resolves.toBe(true);
    expect(await readFile(path, 'utf8')).toBe('earlier step\n### ✅ chaos gate passed\n\n| a | b |\n');
    expect(jobSummaryWritten()).toBe(true);
  });
});
