// `chaos-action init --explore`, packaged, on public stacks nobody here wrote (kept byte for
// byte): the stack comes up under a project of its own, each candidate request is sent three
// times while every dependency's received packets are counted from the host, and the written
// chaos-action.yml holds the requests that reach each dependency, with the evidence above each.
// The stack it started is removed, and the written config validates.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { docker } from '../../src/stack/docker';
import { execCommand, type ExecResult } from '../../src/util/exec';
import { NOTHING_LEFT, projectLeftovers } from '../helpers/leftovers';
import { checkoutPublicStack } from '../helpers/public-stacks';

jest.setTimeout(5 * 60_000);
const cli = path.join(__dirname, '../../dist/cli/index.js');

interface Explored {
  init: ExecResult;
  config: string;
  requests: { name: string; method: string; path: string; reaches: string[] }[];
  project: string;
  validate: ExecResult;
}

async function explore(stack: string): Promise<Explored> {
  const dir = checkoutPublicStack(stack);
  const env = { ...process.env, CI: 'true' };
  try {
    const init = await execCommand(process.execPath, [cli, 'init', '--explore'], {
      cwd: dir,
      env,
      timeoutMs: 4 * 60_000,
    });
    const project = /starting project (chaos-init-probe-\S+)/.exec(init.stdout)?.[1] ?? '';
    // compose names the images it builds after the project, which is gone now.
    if (project)
      for (const image of await docker().listImages({
        filters: { label: [`com.docker.compose.project=${project}`] },
      }))
        await docker()
          .getImage(image.Id)
          .remove({ force: true })
          .catch(() => undefined);
    let config = '';
    try {
      config = readFileSync(path.join(dir, 'chaos-action.yml'), 'utf8');
    } catch {
      throw new Error(`init --explore wrote no config: exit ${init.code}\n${init.stdout}\n${init.stderr}`);
    }
    const validate = await execCommand(process.execPath, [cli, 'validate', 'chaos-action.yml'], {
      cwd: dir,
      env,
    });
    const requests = ((parse(config) as { requests?: Explored['requests'] }).requests ?? []).map((r) => ({
      name: r.name,
      method: r.method,
      path: r.path,
      reaches: r.reaches,
    }));
    return { init, config, requests, project, validate };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('init --explore on public stacks', () => {
  it('nginx-flask-mysql: / reaches the database through nginx and Flask; the other paths are not served', async () => {
    const found = await explore('nginx-flask-mysql');
    expect({ code: found.init.code, stderr: found.init.stderr }).toEqual({ code: 0, stderr: '' });
    expect(found.init.stdout).toMatch(/^explore: \d+ candidate requests, 3 tries each, against db$/m);
    expect(found.init.stdout).toMatch(
      /^explore: GET \/ \(a common path\) answered 200: reaches db \(\d+\+\d+\+\d+ packets\)$/m,
    );
    expect(found.init.stdout).toMatch(/^explore: not served: .*GET \/api: status 404/m);
    expect(found.requests).toEqual([{ name: 'root', method: 'GET', path: '/', reaches: ['db'] }]);
    expect(found.config).toContain(
      '  # reaches db (packets in each of 3 tries; from a common path)\n  - name: root\n',
    );
    expect(found.init.stdout).not.toMatch(/no request reached/);
    expect({ code: found.validate.code, out: found.validate.stdout + found.validate.stderr }).toMatchObject({
      code: 0,
    });
    expect(await projectLeftovers(found.project)).toEqual(NOTHING_LEFT);
  });

  it('flask-redis: / reaches the cache (the app is the entry, no proxy, no healthcheck anywhere)', async () => {
    const found = await explore('flask-redis');
    expect(found.init.code).toBe(0);
    expect(found.init.stdout).toMatch(/^explore: GET \/ \(a common path\) answered 200: reaches redis \(/m);
    expect(found.requests).toEqual([{ name: 'root', method: 'GET', path: '/', reaches: ['redis'] }]);
    expect(found.validate.code).toBe(0);
    expect(await projectLeftovers(found.project)).toEqual(NOTHING_LEFT);
  });
});
