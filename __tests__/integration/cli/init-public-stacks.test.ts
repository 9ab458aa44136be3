// `chaos-action init` with no flags on the public stacks (__tests__/fixtures/public-stacks), as
// a new user runs it in a checkout: the entry, the application's instances and every
// dependency with its kind, from `compose config` alone (nothing is built or started).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initCommand } from '../../../src/cli/init-command';
import { checkoutPublicStack } from '../../helpers/public-stacks';

jest.setTimeout(60_000);

async function init(stack: string): Promise<{ said: string; config: string }> {
  const dir = checkoutPublicStack(stack);
  const cwd = process.cwd();
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    process.chdir(dir);
    expect(await initCommand([])).toBe(0);
  } finally {
    process.chdir(cwd);
    write.mockRestore();
  }
  return { said: out.join(''), config: readFileSync(path.join(dir, 'chaos-action.yml'), 'utf8') };
}

describe('init on public stacks nobody here wrote', () => {
  it('flask-redis: the web app is the entry (no healthcheck anywhere), Redis a cache', async () => {
    const { said, config } = await init('flask-redis');
    expect(said).toMatch(/^read compose\.yaml \+ compose\.override\.yaml: 2 services$/m);
    expect(said).toContain('  redis  dependency   cache: redis (image redislabs/redismod)\n');
    expect(said).toMatch(/^entry: web, port 8000, path \/ \(it publishes 8000; no service depends on it\)$/m);
    expect(said).toContain(
      '  health check GET / answering any status below 500 (service web has no HTTP healthcheck',
    );
    expect(said).toContain(
      'scenarios over the graph (weekly and full suites): dependency-down[redis], dependency-partition[redis], dependency-slow[redis]\n',
    );
    expect(config).toContain('compose-file: [compose.yaml, compose.override.yaml]\n');
    expect(config).toMatch(
      /^# request: GET \/items\/1 +# unset: each run takes the entry's \/ when it answers 2xx with a body/m,
    );
  });

  it('nginx-nodejs-redis: the proxy in front, not the replicas that also publish; two instances of web', async () => {
    const { said } = await init('nginx-nodejs-redis');
    expect(said).toMatch(
      /^entry: nginx, port 80, path \/ \(it publishes 80; no service depends on it; it is a proxy \(built FROM nginx:1\.21\.6 \(nginx\/Dockerfile\)\); chosen over web1, web2, which also publish ports\)$/m,
    );
    expect(said).toContain('application: web, 2 instances (web1, web2)\n');
    expect(said).toContain('  web1   application  instance of web\n');
    expect(said).toContain('  redis  dependency   cache: redis (image redislabs/redismod)\n');
    expect(said).toContain('instance-loss[web]');
  });

  it('nginx-flask-mysql: secrets and two networks; the database behind the app is found through both', async () => {
    const { said } = await init('nginx-flask-mysql');
    expect(said).toMatch(
      /^entry: proxy, port 80, path \/ \(.*it is a proxy \(built FROM nginx:1\.13-alpine \(proxy\/Dockerfile\)\).*\)$/m,
    );
    expect(said).toContain('  backend  application  behind the entry; depends on db (healthy)\n');
    expect(said).toContain('  db       dependency   database: mariadb (image mariadb:10-focal)\n');
    expect(said).toContain(
      'scenarios over the graph (weekly and full suites): dependency-down[db], dependency-partition[db], dependency-slow[db]\n',
    );
  });

  it('nginx-golang-postgres: a proxy image, a Go backend, Postgres behind a service_healthy condition', async () => {
    const { said } = await init('nginx-golang-postgres');
    expect(said).toMatch(
      /^entry: proxy, port 80, path \/ \(it publishes 80; no service depends on it; it is a proxy \(image nginx\)\)$/m,
    );
    expect(said).toContain('  backend  application  behind the entry; depends on db (healthy)\n');
    expect(said).toContain('  db       dependency   database: postgres (image postgres)\n');
  });
});
