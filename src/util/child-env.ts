// The environment handed to child processes (compose, iptables, git, the hog): the runner's
// own environment minus what lets a process act as the workflow. A compose file is code that
// a pull request's author controls; `environment: [GITHUB_TOKEN]` in it would otherwise copy
// the job's token (or the runtime token that writes the Actions cache) into a container.

/** Names dropped whatever their prefix says: tokens and credentials of the runner and of GitHub. */
const SECRET_NAMES = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_PAT',
  'GH_ENTERPRISE_TOKEN',
  'GITHUB_ENTERPRISE_TOKEN',
  'COPILOT_GITHUB_TOKEN',
  'NPM_TOKEN',
  'NODE_AUTH_TOKEN',
  // The files through which a step talks to the runner: writing GITHUB_ENV or GITHUB_PATH
  // changes every later step of the job, GITHUB_OUTPUT and GITHUB_STATE this step's results.
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
]);

/**
 * Prefixes dropped: action inputs (INPUT_GITHUB-TOKEN holds the token), the runtime's tokens
 * and endpoints (ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN/_URL, ACTIONS_CACHE_URL,
 * ACTIONS_RESULTS_URL...), and the state the post step reads.
 */
const SECRET_PREFIXES = ['INPUT_', 'ACTIONS_', 'STATE_'];

/** Whether a variable is withheld from child processes unless passed through by name. */
export function isWithheld(name: string): boolean {
  const upper = name.toUpperCase();
  if (SECRET_NAMES.has(upper)) return true;
  return SECRET_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/** A variable name as compose-env accepts it (POSIX: letters, digits, underscore; no leading digit). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment for a child process: `env` without the withheld variables, except those
 * named in `passThrough` (the compose-env input: a deliberate choice by the workflow's author).
 */
export function childEnv(
  passThrough: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const allowed = new Set(passThrough);
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isWithheld(name) && !allowed.has(name)) continue;
    out[name] = value;
  }
  return out;
}
