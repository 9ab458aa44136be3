// A compose file is code a pull request's author writes: listing the runner's tokens under
// `environment:` must not copy them into a container. Real engine, real container, the
// container's own environment read back with `docker exec env`.
import path from 'node:path';
import { ComposeStack, uniqueProjectName } from '../../../src/stack/compose';
import { execCommand } from '../../../src/util/exec';

jest.setTimeout(120_000);

const SECRETS: Record<string, string> = {
  GITHUB_TOKEN: 'ghs_leak_github_token',
  ACTIONS_RUNTIME_TOKEN: 'leak_runtime_token',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'leak_oidc_token',
  'INPUT_GITHUB-TOKEN': 'ghs_leak_input_token',
  GH_TOKEN: 'gho_passed_on_purpose',
  CHAOS_ENV_PLAIN: 'plain-value',
};

describe('the environment compose gets', () => {
  const saved: Record<string, string | undefined> = {};
  let stack: ComposeStack;
  let env: Record<string, string>;

  beforeAll(async () => {
    for (const [name, value] of Object.entries(SECRETS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    stack = new ComposeStack({
      files: [path.join(__dirname, '../../fixtures/security/env-compose.yml')],
      project: uniqueProjectName('env-test'),
      // compose-env: GH_TOKEN is passed on purpose.
      passEnv: ['GH_TOKEN'],
    });
    await stack.up({ healthTimeoutMs: 60_000, build: false });
    const ps = await stack.compose(['ps', '-q', 'probe']);
    const id = ps.stdout.trim();
    const read = await execCommand('docker', ['exec', id, 'env']);
    expect(read.code).toBe(0);
    env = Object.fromEntries(
      read.stdout
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  });

  afterAll(async () => {
    await stack?.down();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('passes an ordinary variable the compose file lists (the probe works)', () => {
    expect(env.CHAOS_ENV_PLAIN).toBe('plain-value');
  });

  it('withholds GITHUB_TOKEN, ACTIONS_* and INPUT_* even when the compose file lists them', () => {
    for (const name of [
      'GITHUB_TOKEN',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'INPUT_GITHUB-TOKEN',
    ])
      expect({ name, value: env[name] ?? null }).toEqual({ name, value: null });
    expect(Object.values(env).join('\n')).not.toMatch(/leak/);
  });

  it('passes a withheld variable named in compose-env', () => {
    expect(env.GH_TOKEN).toBe('gho_passed_on_purpose');
  });
});
