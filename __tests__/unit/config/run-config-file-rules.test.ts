// What a repository's own run config file may not do (issue 27, finding 4): undo the
// environment filter, read a file outside the working directory (the runner's environment
// through /proc/self/environ as the request body), or send the load to a host of its choosing.
// Each is refused at the file's line, naming the field, before anything runs.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { loadRunConfigFile } from '../../../src/config/run-config';
import { isLoopbackHost } from '../../../src/config/target-host';

/** A checkout with a compose file of two services and the given chaos-action.yml. */
function checkout(config: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'run-config-rules-'));
  writeFileSync(
    path.join(dir, 'docker-compose.yml'),
    'services:\n  web:\n    image: nginx\n  redis:\n    image: redis\n',
  );
  const file = path.join(dir, 'chaos-action.yml');
  writeFileSync(file, config);
  return { dir, file };
}

const load = (c: { dir: string; file: string }, overrides: Record<string, unknown> = {}) =>
  loadRunConfigFile(c.file, overrides, 'input', { workdir: c.dir });

describe('compose-env', () => {
  it('is refused in the file, at its line, even beside the input', () => {
    const c = checkout(
      'compose-file: docker-compose.yml\ncompose-env: ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, GITHUB_ENV\n',
    );
    expect(() => load(c)).toThrow(
      new ConfigError([
        {
          file: c.file,
          line: 2,
          field: 'compose-env',
          message:
            "is an input (compose-env) or a flag (--compose-env) only, never a key of the run config file: a file in the repository may not hand the withheld variables (tokens, ACTIONS_*, the runner's command files) to the stack",
        },
      ]),
    );
    expect(() => load(c, { 'compose-env': ['MY_VAR'] })).toThrow(
      /chaos-action\.yml:2: compose-env: is an input/,
    );
  });

  it('is still taken from the input', () => {
    const c = checkout('compose-file: docker-compose.yml\n');
    expect(load(c, { 'compose-env': ['MY_VAR'] }).composeEnv).toEqual(['MY_VAR']);
  });
});

describe("the file's paths stay inside the working directory", () => {
  it('refuses request-body-file: /proc/self/environ, reading nothing', () => {
    const c = checkout('compose-file: docker-compose.yml\nrequest-body-file: /proc/self/environ\n');
    expect(() => load(c)).toThrow(
      `${c.file}:2: request-body-file: /proc/self/environ resolves to /proc/${process.pid}/environ, outside the working directory`,
    );
  });

  it('follows symlinks before judging: a link in the checkout to a file outside is refused', () => {
    const c = checkout('compose-file: docker-compose.yml\nrequest-body-file: body.json\n');
    symlinkSync('/etc/hostname', path.join(c.dir, 'body.json'));
    expect(() => load(c)).toThrow(
      /chaos-action\.yml:2: request-body-file: .*body\.json resolves to \/etc\/hostname/,
    );
  });

  it.each([
    ['compose-file', 'compose-file: ../../elsewhere/docker-compose.yml\n'],
    ['results-dir', 'compose-file: docker-compose.yml\nresults-dir: ../../home/runner/.ssh\n'],
    ['journal-path', 'compose-file: docker-compose.yml\njournal-path: /tmp/shared/journal.json\n'],
    ['scenarios-dir', 'compose-file: docker-compose.yml\nscenarios-dir: [chaos, /etc]\n'],
  ])('refuses %s leaving it', (field, text) => {
    const c = checkout(text);
    expect(() => load(c)).toThrow(
      new RegExp(`chaos-action\\.yml:\\d: ${field}: .* outside the working directory`),
    );
  });

  it('takes paths inside it, existing or not yet, and an input may point anywhere', () => {
    const c = checkout(
      'compose-file: docker-compose.yml\nrequest-body-file: body.json\nresults-dir: out/chaos\nscenarios-dir: chaos\n',
    );
    writeFileSync(path.join(c.dir, 'body.json'), '{"a":1}');
    mkdirSync(path.join(c.dir, 'chaos'));
    expect(load(c)).toMatchObject({
      resultsDir: path.join(c.dir, 'out/chaos'),
      target: { requestBody: '{"a":1}' },
    });
    expect(load(c, { 'results-dir': '/tmp/elsewhere' }).resultsDir).toBe('/tmp/elsewhere');
  });

  it('refuses a config file that is itself a link to outside', () => {
    const c = checkout('compose-file: docker-compose.yml\n');
    const link = path.join(c.dir, 'linked.yml');
    const away = path.join(mkdtempSync(path.join(os.tmpdir(), 'away-')), 'chaos-action.yml');
    writeFileSync(away, 'compose-file: docker-compose.yml\n');
    symlinkSync(away, link);
    expect(() => loadRunConfigFile(link, {}, 'input', { workdir: c.dir })).toThrow(
      `${link}: the run config file resolves to ${away}, outside the working directory`,
    );
  });
});

describe('target-url in the file', () => {
  it('refuses a host that is neither loopback nor a service of the stack', () => {
    const c = checkout('compose-file: docker-compose.yml\ntarget-url: https://collector.evil.example/x\n');
    expect(() => load(c)).toThrow(
      `${c.file}:2: target-url: host "collector.evil.example" is neither loopback nor a service of the stack (redis, web): a file in the repository may not send the load and the probes elsewhere; give target-url as an input (or --target-url) to allow another host`,
    );
  });

  it('takes loopback and the stack’s services, and any host the input gives', () => {
    for (const url of [
      'http://127.0.0.1:8080',
      'http://localhost:3000',
      'http://[::1]:80',
      'http://web:80',
    ]) {
      const c = checkout(`compose-file: docker-compose.yml\ntarget-url: ${url}\n`);
      expect(load(c).targetUrl).toBe(url);
    }
    const c = checkout('compose-file: docker-compose.yml\ntarget-url: http://127.0.0.1:1\n');
    expect(load(c, { 'target-url': 'https://staging.example.com' }).targetUrl).toBe(
      'https://staging.example.com',
    );
  });

  it('knows loopback when it sees it', () => {
    expect(['localhost', '127.0.0.1', '127.10.0.3', '[::1]', 'api.localhost'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '10.0.0.1', 'localhost.evil.example', '[::ffff:7f00:1]'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
