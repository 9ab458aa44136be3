// Adopting the gate on a stack it has never seen, as a new user does: a fresh checkout of one
// fixture stack, `chaos-action init` on its compose file, `validate`, then the packaged action
// the way the runner runs it (__tests__/fixtures/stacks/README.md).
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult, ScenarioResult } from '../../src/results';
import { execCommand } from '../../src/util/exec';
import { runPackagedAction, type ActionRun } from './action-runner';
import { GitHubApiServer } from './github-api-server';
import { NOTHING_LEFT, projectLeftovers } from './leftovers';

const root = path.join(__dirname, '../..');
const cli = path.join(root, 'dist/cli/index.js');
/** The compose-file input of a stack's fragile variant. */
export const FRAGILE = 'docker-compose.yml\ndocker-compose.fragile.yml';

/** A fresh checkout of one fixture stack, as a user's repository. */
export function checkout(stack: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `chaos-adopt-${stack}-`));
  cpSync(path.join(root, '__tests__/fixtures/stacks', stack), dir, { recursive: true });
  return dir;
}

/** `init` then `validate` in the checkout; returns what init said. */
export async function initAndValidate(dir: string): Promise<string> {
  const init = await execCommand(process.execPath, [cli, 'init'], { cwd: dir });
  expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: '' });
  const validate = await execCommand(process.execPath, [cli, 'validate', 'chaos-action.yml'], { cwd: dir });
  expect({ code: validate.code, stdout: validate.stdout, stderr: validate.stderr }).toMatchObject({
    code: 0,
    stdout: expect.stringContaining('chaos-action.yml (run config)'),
  });
  return init.stdout;
}

export function results(run: ActionRun): RunResult {
  return JSON.parse(readFileSync(run.outputs['results-json'], 'utf8')) as RunResult;
}

export function scenario(run: ActionRun, name: string): ScenarioResult {
  const found = results(run).scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no result for ${name}: ${run.main.stdout.slice(-3000)}`);
  return found;
}

export const violated = (s: ScenarioResult): string[] =>
  s.thresholds.filter((t) => t.passed === false).map((t) => t.source);

export async function expectNothingLeft(run: ActionRun): Promise<void> {
  expect(run.post.code).toBe(0);
  expect(await projectLeftovers(run.state['compose-project'])).toEqual(NOTHING_LEFT);
}

/**
 * A loopback GitHub API for one test file and the gate run through the packaged action against
 * it: call `start()` in beforeAll and `stop()` in afterAll.
 */
export function gateOnLoopbackGitHub() {
  const github = new GitHubApiServer({ tokenKind: 'installation', token: 'ghs_e2e_token' });
  let apiUrl = '';
  return {
    start: async () => {
      apiUrl = await github.start();
    },
    stop: () => github.stop(),
    gate: (workspace: string, inputs: Record<string, string> = {}): Promise<ActionRun> =>
      runPackagedAction({
        apiUrl,
        workspace,
        inputs: { 'github-token': 'ghs_e2e_token', scale: '0.5', comment: 'false', ...inputs },
      }),
  };
}
