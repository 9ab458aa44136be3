// The packaged action run the way the Actions runner runs it: `node dist/index.js` with
// INPUT_* variables, a pull_request event file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY /
// GITHUB_STATE files and GITHUB_API_URL pointing at a loopback server that speaks GitHub's
// REST endpoints; then `node dist/post/index.js` with the state the main step saved.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCommand, type ExecResult } from '../../src/util/exec';

const root = path.join(__dirname, '../..');
export const PR_NUMBER = 7;
export const HEAD_SHA = 'c0ffee0000000000000000000000000000000042';

export interface ActionRun {
  main: ExecResult;
  post: ExecResult;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/** Reads the runner's `name<<delimiter` file format (GITHUB_OUTPUT, GITHUB_STATE). */
function readCommandFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  if (!existsSync(file)) return values;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]);
    values[name] = value.join('\n');
  }
  return values;
}

export interface ActionRunOptions {
  /** GitHub's REST API (a loopback GitHubApiServer). */
  apiUrl: string;
  /** The checked-out repository: GITHUB_WORKSPACE. Default: this repository. */
  workspace?: string;
  /** Inputs by name (`compose-file`, `scenarios`, ...): only these are set, as in a workflow's `with:`. */
  inputs: Record<string, string>;
  /** The event: default a pull_request `synchronize` of PR_NUMBER at HEAD_SHA in acme/shop. */
  event?: { name: string; payload: Record<string, unknown> };
  /** Runner variables to set or override (e.g. GITHUB_WORKFLOW of a second workflow). */
  env?: Record<string, string>;
}

/** Runs the main step, then the post step with the state the main step saved. */
export async function runPackagedAction(options: ActionRunOptions): Promise<ActionRun> {
  const workspace = options.workspace ?? root;
  const work = mkdtempSync(path.join(tmpdir(), 'chaos-action-e2e-'));
  const files = {
    event: path.join(work, 'event.json'),
    output: path.join(work, 'output'),
    summary: path.join(work, 'summary.md'),
    state: path.join(work, 'state'),
  };
  for (const file of [files.output, files.summary, files.state]) writeFileSync(file, '');
  writeFileSync(
    files.event,
    JSON.stringify(
      options.event?.payload ?? {
        action: 'synchronize',
        number: PR_NUMBER,
        pull_request: { number: PR_NUMBER, head: { sha: HEAD_SHA }, labels: [{ name: 'bug' }] },
        repository: { name: 'shop', owner: { login: 'acme' } },
      },
    ),
  );
  // The runner sets every input of action.yml: those not given get their default.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    EXTRA_CA_CERTS_PEM: process.env.EXTRA_CA_CERTS_PEM,
    CHAOS_COMPOSE: process.env.CHAOS_COMPOSE,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.event?.name ?? 'pull_request',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: 'merge000000000000000000000000000000000000',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_WORKFLOW: 'chaos',
    GITHUB_JOB: 'gate',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: work,
    ...Object.fromEntries(
      Object.entries(actionDefaults()).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
    ...Object.fromEntries(
      Object.entries(options.inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
    ...options.env,
  };
  const main = await execCommand(process.execPath, [path.join(root, 'dist/index.js')], {
    env,
    cwd: workspace,
  });
  const state = readCommandFile(files.state);
  const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
  const post = await execCommand(process.execPath, [path.join(root, 'dist/post/index.js')], {
    env: { ...env, ...stateEnv },
    cwd: workspace,
  });
  return {
    main,
    post,
    outputs: readCommandFile(files.output),
    state,
    summary: readFileSync(files.summary, 'utf8'),
  };
}

/** action.yml's input defaults, as the runner fills them in (expressions left out). */
function actionDefaults(): Record<string, string> {
  const text = readFileSync(path.join(root, 'action.yml'), 'utf8');
  const defaults: Record<string, string> = {};
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const input = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line);
    if (input) current = input[1];
    const value = /^ {4}default:\s*'?(.*?)'?\s*$/.exec(line);
    if (current && value && !value[1].includes('${{')) defaults[current] = value[1];
    if (/^outputs:/.test(line)) break;
  }
  return defaults;
}
