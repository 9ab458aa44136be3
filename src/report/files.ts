// Writes a run's results where other tools can read them: results.json (schema in
// docs/results-schema.md), the markdown report, JUnit XML and the Prometheus metrics
// (pushed to a Pushgateway when one is given, else a text exposition file).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from '../results';
import { renderReport, SUMMARY_MAX_BYTES } from './markdown';
import { writeJUnit } from './junit';
import { pushMetrics, writeMetricsFile } from './metrics';

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
  await mkdir(dir, { recursive: true });
  const files: WrittenFiles = {
    resultsJson: path.join(dir, 'results.json'),
    report: path.join(dir, 'report.md'),
    junit: path.join(dir, 'junit.xml'),
    metrics: path.join(dir, 'metrics.prom'),
  };
  await writeFile(files.resultsJson, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(
    files.report,
    renderReport(result, { baseline: options.baseline, maxBytes: SUMMARY_MAX_BYTES }),
  );
  await writeJUnit(result, files.junit);
  if (options.pushgatewayUrl) {
    await pushMetrics(result, options.pushgatewayUrl);
    files.metrics = null;
  } else {
    await writeMetricsFile(result, files.metrics as string);
  }
  return files;
}
