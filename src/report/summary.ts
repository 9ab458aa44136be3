// The report in the job summary (the run's page on GitHub). Needs no token and no API
// call, so it is written first and is where the report lands when the PR comment cannot
// be written (fork PRs). Outside GitHub Actions (CLI runs) GITHUB_STEP_SUMMARY is unset:
// a clear log line, no error.
import * as core from '@actions/core';

const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';

let written = false;

/** True once this process has written a job summary (comment.ts uses it to avoid writing twice). */
export function jobSummaryWritten(): boolean {
  return written;
}

/**
 * Appends `markdown` to the job summary. Returns true when written, false when there is
 * no job summary (GITHUB_STEP_SUMMARY unset) or writing failed (logged as a warning:
 * a missing summary must not fail the gate).
 */
export async function writeJobSummary(markdown: string): Promise<boolean> {
  if (!process.env[SUMMARY_ENV_VAR]) {
    core.info(`Job summary skipped: ${SUMMARY_ENV_VAR} is not set (not running in GitHub Actions).`);
    return false;
  }
  try {
    await core.summary.emptyBuffer().addRaw(markdown, true).write();
    written = true;
    return true;
  } catch (err) {
    core.warning(`Could not write the job summary: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
