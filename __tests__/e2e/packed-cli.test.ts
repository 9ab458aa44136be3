// The CLI as users get it: the package packed (`npm pack`), then run from the tarball with npx
// in a directory that holds nothing but a compose file, with no registry to ask (--offline: the
// bundle needs no dependency installed). init writes its files there and validate accepts them.
// Needs a docker CLI (init asks `docker compose config` to read the compose file), no engine work.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCommand } from '../../src/util/exec';

const root = path.join(__dirname, '../..');
jest.setTimeout(180_000);

const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('the packed CLI', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'chaos-packed-'));
  // npm's own cache and logs: fresh and empty, so nothing can come from an earlier install.
  const env = {
    ...process.env,
    npm_config_cache: path.join(scratch, 'npm-cache'),
    npm_config_update_notifier: 'false',
  };
  let tarball = '';
  let files: string[] = [];

  beforeAll(async () => {
    const pack = await execCommand('npm', ['pack', '--offline', '--json', '--pack-destination', scratch], {
      cwd: root,
      env,
    });
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(scratch, packed.filename);
    files = packed.files.map((f) => f.path);
  });

  /** `npx --package TARBALL chaos-action ARGS` in `dir`, offline. */
  const chaosAction = (dir: string, ...args: string[]) =>
    execCommand('npx', ['--offline', '--yes', '--package', tarball, 'chaos-action', ...args], {
      cwd: dir,
      env,
    });

  it('holds the bundle, the built-in scenarios and the schemas, and none of the sources', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/cli/index.js',
        'dist/load-worker/index.js',
        'scenarios/suites.yml',
        'scenarios/redis-failure.yml',
        'schemas/chaos-action.schema.json',
        'schemas/scenario.schema.json',
      ]),
    );
    expect(files.filter((f) => /^(src|__tests__|examples|scripts)\//.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ 'chaos-action': 'dist/cli/index.js' });
    // The bundle carries everything it runs: installing it fetches nothing.
    expect(manifest.dependencies).toBeUndefined();
  });

  it('runs init and validate in a directory of its own', async () => {
    const dir = mkdtempSync(path.join(scratch, 'repo-'));
    writeFileSync(
      path.join(dir, 'compose.yaml'),
      [
        'services:',
        '  web:',
        '    image: chaos-fixture-none:local',
        '    ports: ["127.0.0.1::8080"]',
        '    healthcheck: { test: ["CMD", "curl", "-fsS", "http://localhost:8080/health"] }',
        '',
      ].join('\n'),
    );
    const shown = await chaosAction(dir, '--version');
    expect({ code: shown.code, out: shown.stdout }).toEqual({ code: 0, out: `${version}\n` });

    const init = await chaosAction(dir, 'init');
    expect({ code: init.code, err: init.stderr }).toEqual({ code: 0, err: '' });
    expect(init.stdout).toContain('wrote chaos-action.yml');
    const config = readFileSync(path.join(dir, 'chaos-action.yml'), 'utf8');
    expect(config.split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=\S+\/schemas\/chaos-action\.schema\.json$/,
    );
    expect(config).toContain('compose-file: [compose.yaml]');

    const validate = await chaosAction(dir, 'validate', 'chaos-action.yml');
    expect({ code: validate.code, out: validate.stdout, err: validate.stderr }).toEqual({
      code: 0,
      out: 'ok chaos-action.yml (run config)\n',
      err: '',
    });
    // The built-in scenarios, from the package's own scenarios/.
    const builtins = await chaosAction(dir, 'validate');
    expect(builtins.code).toBe(0);
    expect(builtins.stdout).toMatch(/^ok \S+scenarios\/redis-failure\.yml \(redis-failure\)$/m);
  });
});
