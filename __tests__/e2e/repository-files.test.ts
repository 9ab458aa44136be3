// What files in the repository may make the packaged action and CLI do (issue 27): a run
// config file may not undo the environment filter, read outside the checkout or send the load
// elsewhere (finding 4), each refused at its line before anything starts; `init` never writes
// through a symlink (finding 7). No Docker engine: both stop before a stack would start (init
// asks compose to read the compose file, which needs no engine).
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCommand } from '../../src/util/exec';
import { runPackagedAction } from '../helpers/action-runner';
import { GitHubApiServer } from '../helpers/github-api-server';

const root = path.join(__dirname, '../..');
const cli = path.join(root, 'dist/cli/index.js');
jest.setTimeout(120_000);

const COMPOSE =
  'services:\n  web:\n    image: nginx\n    ports: ["127.0.0.1::80"]\n  redis:\n    image: redis\n';

function checkout(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-repo-files-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("finding 4: the repository's chaos-action.yml, read by the packaged action", () => {
  const github = new GitHubApiServer({ tokenKind: 'installation', token: 'ghs_e2e' });
  let apiUrl: string;
  beforeAll(async () => {
    apiUrl = await github.start();
  });
  afterAll(() => github.stop());

  it.each([
    [
      'compose-env naming the runner tokens',
      'compose-file: docker-compose.yml\ncompose-env: ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, GITHUB_ENV\n',
      /^::error file=.*chaos-action\.yml,line=2::.*chaos-action\.yml:2: compose-env: is an input \(compose-env\) or a flag \(--compose-env\) only/m,
    ],
    [
      'the runner environment as the request body',
      'compose-file: docker-compose.yml\nrequest-body-file: /proc/self/environ\n',
      /^::error file=.*chaos-action\.yml,line=2::.*request-body-file: \/proc\/self\/environ resolves to \/proc\/\d+\/environ, outside the working directory/m,
    ],
    [
      'the load sent to a host of its choosing',
      'compose-file: docker-compose.yml\ntarget-url: https://collector.evil.example\n',
      /^::error file=.*chaos-action\.yml,line=2::.*target-url: host "collector\.evil\.example" is neither loopback nor a service of the stack \(redis, web\)/m,
    ],
  ])('refuses %s at its line, and starts nothing', async (_, config, error) => {
    const workspace = checkout({ 'docker-compose.yml': COMPOSE, 'chaos-action.yml': config });
    const run = await runPackagedAction({
      apiUrl,
      workspace,
      inputs: { 'github-token': 'ghs_e2e', 'check-run': 'false', comment: 'false' },
    });
    expect(run.main.code).toBe(1);
    expect(run.main.stdout).toMatch(error);
    expect(run.main.stdout).toMatch(/::error::chaos-action: configuration error \(1 problem\)/);
    expect(run.state['compose-project']).toBeUndefined();
    expect(run.main.stdout).not.toContain('ghs_e2e');
  });
});

describe('finding 7: init does not write through a symlink', () => {
  async function init(dir: string, ...args: string[]) {
    return execCommand(process.execPath, [cli, 'init', ...args], { cwd: dir });
  }

  it('refuses a dangling symlink at chaos-action.yml, creating nothing where it points', async () => {
    const dir = checkout({ 'docker-compose.yml': COMPOSE });
    const target = path.join(mkdtempSync(path.join(tmpdir(), 'elsewhere-')), 'profile.sh');
    symlinkSync(target, path.join(dir, 'chaos-action.yml'));
    const result = await init(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${path.join(dir, 'chaos-action.yml')} is a symlink (to ${target}): init does not write through a symlink; nothing was written`,
    );
    expect(existsSync(target)).toBe(false);
    expect(existsSync(path.join(dir, '.github'))).toBe(false);
  });

  it('refuses a symlinked .github, even with --force, writing into neither place', async () => {
    const dir = checkout({ 'docker-compose.yml': COMPOSE });
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'elsewhere-'));
    symlinkSync(elsewhere, path.join(dir, '.github'));
    const result = await init(dir, '--force');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(dir, '.github')} is a symlink (to ${elsewhere})`);
    expect(existsSync(path.join(elsewhere, 'workflows'))).toBe(false);
    expect(existsSync(path.join(dir, 'chaos-action.yml'))).toBe(false);
  });

  it('refuses a symlink at the workflow file; --force replaces real files', async () => {
    const dir = checkout({ 'docker-compose.yml': COMPOSE });
    mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
    const victim = path.join(dir, 'victim.yml');
    writeFileSync(victim, 'kept\n');
    symlinkSync(victim, path.join(dir, '.github/workflows/chaos.yml'));
    expect((await init(dir, '--force')).code).toBe(2);
    expect(readFileSync(victim, 'utf8')).toBe('kept\n');

    const real = checkout({ 'docker-compose.yml': COMPOSE, 'chaos-action.yml': 'old\n' });
    const forced = await init(real, '--force');
    expect({ code: forced.code, stderr: forced.stderr }).toEqual({ code: 0, stderr: '' });
    expect(lstatSync(path.join(real, 'chaos-action.yml')).isFile()).toBe(true);
    expect(readFileSync(path.join(real, 'chaos-action.yml'), 'utf8')).toContain('compose-file:');
    expect(readFileSync(path.join(real, '.github/workflows/chaos.yml'), 'utf8')).toContain(
      'persist-credentials: false',
    );
  });
});
