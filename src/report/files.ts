// Writes a run's results where other tools can read them: results.json (schema in
// docs/results-schema.md), the markdown report, JUnit XML and the Prometheus metrics
// (pushed to a Pushgateway when one is given, else a text exposition file).
import { randomBytes } from 'node:crypto';
import { lstatSync, readlinkSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/errors';
import type { RunResult } from '../results';
import { renderReport, SUMMARY_MAX_BYTES } from './markdown';
import { renderJUnit } from './junit';
import { pushMetrics, renderMetrics } from './metrics';

/**
 * Refuses a results directory that is a symlink (or not a directory); one that does not exist
 * yet is fine. A results directory inside a checkout is the pull request's to shape: a symlink
 * there (to ~/.ssh, to the runner's tool cache) would send the run's files wherever it points.
 * Checked before a run starts and again when the files are written.
 */
export function checkResultsDir(dir: string): void {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw ConfigError.single(
      dir,
      null,
      '',
      `cannot use the results directory: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  if (stat.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(dir);
    } catch {
      // Shown as ?: the refusal does not depend on where it points.
    }
    throw ConfigError.single(
      dir,
      null,
      '',
      `the results directory is a symlink (to ${target}); results are not written through symlinks: give a real directory`,
    );
  }
  if (!stat.isDirectory())
    throw ConfigError.single(dir, null, '', 'the results directory is not a directory');
}

/** The results directory, created if needed, and checked once it exists. */
export async function prepareResultsDir(dir: string): Promise<void> {
  checkResultsDir(dir);
  await mkdir(dir, { recursive: true });
  checkResultsDir(dir);
}

/**
 * Writes a file without following a symlink at its name: the content goes to a new file
 * (O_EXCL: never an existing one, link or not) that then replaces the name. A symlink planted
 * there is replaced, and its target is left untouched.
 */
export async function writeFileNoFollow(file: string, content: string): Promise<void> {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(temporary, 'wx', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export interface WrittenFiles {
  resultsJson: string;
  report: string;
  junit: string;
  /** The metrics file, or null when the metrics were pushed. */
  metrics: string | null;
}

export interface WriteOptions {
  baseline?: RunResult | null;
  pushgatewayUrl?: string | null;
}

export async function writeResultFiles(
  result: RunResult,
  dir: string,
  options: WriteOptions = {},
): Promise<WrittenFiles> {
  await prepareResultsDir(dir);
  const files: WrittenFiles = {
    resultsJson: path.join(dir, 'results.json'),
    report: path.join(dir, 'report.md'),
    junit: path.join(dir, 'junit.xml'),
    metrics: path.join(dir, 'metrics.prom'),
  };
  await writeFileNoFollow(files.resultsJson, `${JSON.stringify(result, null, 2)}\n`);
  await writeFileNoFollow(
    files.report,
    renderReport(result, { baseline: options.baseline, maxBytes: SUMMARY_MAX_BYTES }),
  );
  await writeFileNoFollow(files.junit, renderJUnit(result));
  if (options.pushgatewayUrl) {
    await pushMetrics(result, options.pushgatewayUrl);
    files.metrics = null;
  } else {
    await writeFileNoFollow(files.metrics as string, await renderMetrics(result));
  }
  return files;
}
