// The compose-env input (and --compose-env) names the withheld variables compose may see; the
// token is registered as a secret as soon as the inputs are read, so the runner masks it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as core from '@actions/core';
import { readInputs } from '../../../src/action/inputs';

describe('compose-env input and the token', () => {
  let workspace: string;
  const saved = { ...process.env };
  beforeAll(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-env-input-'));
    fs.writeFileSync(path.join(workspace, 'docker-compose.yml'), 'services: {}\n');
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    jest.restoreAllMocks();
  });
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

  const env = (inputs: Record<string, string>): NodeJS.ProcessEnv => {
    for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
    return { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: path.join(workspace, 'tmp') };
  };

  it('passes nothing by default and the named variables when given', () => {
    expect(readInputs(env({})).config.composeEnv).toEqual([]);
    expect(readInputs(env({ 'compose-env': 'NPM_TOKEN\nGH_TOKEN' })).config.composeEnv).toEqual([
      'NPM_TOKEN',
      'GH_TOKEN',
    ]);
  });

  it('registers the token as a secret', () => {
    const setSecret = jest.spyOn(core, 'setSecret').mockImplementation(() => undefined);
    readInputs(env({ 'github-token': 'ghs_0123456789abcdef' }));
    expect(setSecret).toHaveBeenCalledWith('ghs_0123456789abcdef');
  });
});
