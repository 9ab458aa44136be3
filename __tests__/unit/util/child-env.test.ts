import { childEnv, isWithheld } from '../../../src/util/child-env';
import { parseRunConfig } from '../../../src/config/run-config';
import { ConfigError } from '../../../src/config/errors';

describe('childEnv', () => {
  const runner = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    DOCKER_HOST: 'unix:///var/run/docker.sock',
    GITHUB_SHA: 'abc',
    GITHUB_TOKEN: 't1',
    GH_TOKEN: 't2',
    'INPUT_GITHUB-TOKEN': 't3',
    ACTIONS_RUNTIME_TOKEN: 't4',
    ACTIONS_RUNTIME_URL: 'u',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't5',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'u2',
    ACTIONS_CACHE_URL: 'u3',
    ACTIONS_RESULTS_URL: 'u4',
    STATE_journalPath: '/tmp/j',
    github_token: 't6',
    GITHUB_ENV: '/home/runner/work/_temp/_runner_file_commands/set_env_1',
    GITHUB_PATH: '/home/runner/work/_temp/_runner_file_commands/add_path_1',
    GITHUB_OUTPUT: '/home/runner/work/_temp/_runner_file_commands/set_output_1',
    GITHUB_STATE: '/home/runner/work/_temp/_runner_file_commands/save_state_1',
    GITHUB_STEP_SUMMARY: '/home/runner/work/_temp/_runner_file_commands/step_summary_1',
  };

  it("keeps the ordinary environment and drops tokens, inputs, the runtime and the runner's command files", () => {
    expect(childEnv([], runner)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/runner',
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      GITHUB_SHA: 'abc',
    });
  });

  it('passes a withheld variable named on purpose, and only that one', () => {
    const env = childEnv(['GH_TOKEN', 'NOT_SET'], runner);
    expect(env.GH_TOKEN).toBe('t2');
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect('NOT_SET' in env).toBe(false);
  });

  it('withholds by prefix, whatever the case', () => {
    for (const name of ['ACTIONS_ANYTHING_NEW', 'actions_runtime_token', 'INPUT_X', 'GITHUB_TOKEN'])
      expect(isWithheld(name)).toBe(true);
    for (const name of ['GITHUB_WORKSPACE', 'RUNNER_TEMP', 'CI', 'MY_ACTIONS_FLAG'])
      expect(isWithheld(name)).toBe(false);
  });
});

describe('compose-env in the run config', () => {
  it('takes names from a list or a comma-separated string', () => {
    expect(
      parseRunConfig({ 'compose-files': 'a.yml', 'compose-env': 'GH_TOKEN, NPM_TOKEN' }).composeEnv,
    ).toEqual(['GH_TOKEN', 'NPM_TOKEN']);
    expect(parseRunConfig({ 'compose-files': 'a.yml' }).composeEnv).toEqual([]);
  });

  it('refuses what is not a variable name, naming the input', () => {
    let error: unknown;
    try {
      parseRunConfig({ 'compose-files': 'a.yml', 'compose-env': 'GH_TOKEN=x' }, 'input');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'input compose-env: "GH_TOKEN=x" is not an environment variable name',
    );
  });
});
