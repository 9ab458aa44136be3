// The packaged CLI on a public stack (__tests__/fixtures/public-stacks), as a new user runs it:
// a fresh checkout, `chaos-action init` with no flags, then `run` with the config init wrote.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../src/results';
import { docker } from '../../src/stack/docker';
import { execCommand, type ExecResult } from '../../src/util/exec';
import { checkoutPublicStack } from './public-stacks';

const cli = path.join(__dirname, '../../dist/cli/index.js');

export interface PublicRun {
  init: ExecResult;
  run: ExecResult;
  results: RunResult | null;
}

/** init, then `run ARGS` at --scale 0.5, in a fresh checkout of the stack; its images removed after. */
export async function initAndRun(stack: string, args: string[]): Promise<PublicRun> {
  const dir = checkoutPublicStack(stack);
  const out = mkdtempSync(path.join(tmpdir(), `chaos-e2e-${stack}-`));
  const env = { ...process.env, CI: 'true' };
  const init = await execCommand(process.execPath, [cli, 'init'], { cwd: dir, env });
  const run = await execCommand(
    process.execPath,
    [
      cli,
      'run',
      '--scale',
      '0.5',
      '--results-dir',
      out,
      '--journal-path',
      path.join(out, 'journal.json'),
      ...args,
    ],
    { cwd: dir, env, timeoutMs: 10 * 60_000 },
  );
  let results: RunResult | null = null;
  try {
    results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  } catch {
    results = null;
  }
  // compose names the images it builds after the run's project, which is gone now.
  if (results?.project) {
    const images = await docker().listImages({
      filters: { label: [`com.docker.compose.project=${results.project}`] },
    });
    for (const image of images)
      await docker()
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
  return { init, run, results };
}
