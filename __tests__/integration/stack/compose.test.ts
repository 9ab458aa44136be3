// src/stack against a real engine: up waits for health, down leaves nothing, and each
// kind of bad input gives one clear line naming the thing, with nothing left running.
import path from 'node:path';
import {
  ComposeStack,
  composeFromVersionOutput,
  composePreference,
  detectCompose,
  removeProjectResources,
  uniqueProjectName,
} from '../../../src/stack/compose';
import { assertDockerReachable } from '../../../src/stack/docker';
import { assertInProject, listProjectContainers, resolveService } from '../../../src/stack/targets';
import type { JournalEntry } from '../../../src/faults/journal/entry';
import { checkEntryOnHost } from '../../../src/faults/journal/replay-guard';
import { NOTHING_LEFT, projectLeftovers } from '../../helpers/leftovers';
import { execCommand } from '../../../src/util/exec';

const fixtures = path.join(__dirname, '../../fixtures/stack');
jest.setTimeout(120_000);

/** Runs `code` in a fresh node process (TypeScript through tsx) with extra environment. */
function inChild(code: string, env: NodeJS.ProcessEnv) {
  return execCommand(
    process.execPath,
    ['-e', `require(${JSON.stringify(require.resolve('tsx/cjs'))});${code}`],
    {
      env: { ...process.env, ...env },
    },
  );
}

function stackFor(file: string): ComposeStack {
  return new ComposeStack({ files: [path.join(fixtures, file)], project: uniqueProjectName('stack-test') });
}

describe('ComposeStack on a real engine', () => {
  it('uses the compose CHAOS_COMPOSE asks for, else v2 when it is installed', async () => {
    const compose = await detectCompose();
    const wanted = composePreference();
    const v2Installed = (await execCommand('docker', ['compose', 'version'])).code === 0;
    expect(compose.version).toBe(wanted ?? (v2Installed ? 2 : 1));
    expect(compose.label).toMatch(wanted === 1 ? /^docker-compose 1\./ : /compose/);
    console.log(`compose under test: ${compose.label}`);
  });

  it('CHAOS_COMPOSE: v1 and v2 force one, anything else is refused in one line', async () => {
    const v1Installed = /^1\./.test(
      (await execCommand('docker-compose', ['version', '--short']).catch(() => null))?.stdout ?? '',
    );
    const forced = async (value: string) => {
      const result = await inChild(
        `require(${JSON.stringify(path.join(__dirname, '../../../src/stack/compose.ts'))}).detectCompose()` +
          `.then(c=>{console.log(c.version+' '+c.label);process.exit(0)}, e=>{console.error(e.message);process.exit(3)})`,
        { CHAOS_COMPOSE: value },
      );
      return result.code === 0 ? result.stdout.trim() : `error: ${result.stderr.trim()}`;
    };
    const v2Installed = (await execCommand('docker', ['compose', 'version'])).code === 0;
    if (v2Installed) expect(await forced('v2')).toMatch(/^2 docker compose \d/);
    else expect(await forced('v2')).toMatch(/^error: CHAOS_COMPOSE=v2 but Compose v2 is not installed here/);
    expect(await forced('bogus')).toBe('error: CHAOS_COMPOSE=bogus: use v1, v2 or auto');
    if (v1Installed) expect(await forced('v1')).toMatch(/^1 docker-compose 1\.\d+/);
    else expect(await forced('v1')).toMatch(/^error: CHAOS_COMPOSE=v1 but Compose v1 is not installed here/);
  });

  it('reads the major version from what compose prints, not from the command name', () => {
    expect(composeFromVersionOutput('docker', '2.26.1-4\n')).toEqual({
      command: 'docker',
      prefix: ['compose'],
      version: 2,
      label: 'docker compose 2.26.1-4',
    });
    expect(composeFromVersionOutput('docker-compose', '1.29.2\n')?.version).toBe(1);
    // Docker Desktop's compose-switch, or Debian 13's docker-compose symlink: v2 by another name.
    expect(composeFromVersionOutput('docker-compose', 'v2.27.0\n')).toMatchObject({ version: 2, prefix: [] });
    expect(composeFromVersionOutput('docker', "docker: 'compose' is not a docker command.")).toBeNull();
    expect(composePreference({})).toBeNull();
    expect(composePreference({ CHAOS_COMPOSE: 'V1' })).toBe(1);
    expect(composePreference({ CHAOS_COMPOSE: 'auto' })).toBeNull();
  });

  it('brings a project up healthy, finds it by labels, and removes every trace on down', async () => {
    const stack = stackFor('healthy.yml');
    try {
      const containers = await stack.up({ build: false, healthTimeoutMs: 60_000 });
      expect(containers.map((c) => c.service).sort()).toEqual(['web', 'worker']);
      expect(containers.every((c) => c.project === stack.project && c.state === 'running')).toBe(true);
      const web = await resolveService(stack.project, 'web');
      expect(web).toHaveLength(1);
      await expect(resolveService(stack.project, 'redis')).rejects.toThrow(
        `service "redis" has no container in compose project "${stack.project}" (services there: web, worker)`,
      );
    } finally {
      await stack.down();
    }
    expect(await projectLeftovers(stack.project)).toEqual(NOTHING_LEFT);
  });

  it("leaves alone a container started by hand from an image the project built: it inherits the project's label, but compose did not make it (targets, sweep, replay guard)", async () => {
    const stack = stackFor('healthy.yml');
    // What `compose build` writes on an image (compose v2: project, service, version), and a
    // container started from it with `docker run`, as the k8s judge's tests started Prometheus
    // from the example's image until a neighbouring run's teardown removed it mid-test.
    const image = `chaos-action-test/inherits-labels:${stack.project}`;
    const built = await execCommand('docker', ['build', '-q', '-t', image, '-'], {
      input:
        'FROM debian:bookworm-slim\n' +
        `LABEL com.docker.compose.project=${stack.project} com.docker.compose.service=web com.docker.compose.version=2.26.1\n`,
    });
    expect(built).toMatchObject({ code: 0 });
    const byHand = await execCommand('docker', ['run', '-d', '--init', image, 'sleep', '300']);
    expect(byHand).toMatchObject({ code: 0 });
    const id = byHand.stdout.trim();
    try {
      await stack.up({ build: false, healthTimeoutMs: 60_000 });
      const found = await listProjectContainers(stack.project);
      expect({ services: found.map((c) => c.service), byHand: found.some((c) => c.id === id) }).toEqual({
        services: ['web', 'worker'],
        byHand: false,
      });
      // Neither a fault's target check nor the journal's replay guard takes it for the
      // project's; the project's own containers pass both.
      await expect(assertInProject(id, stack.project)).rejects.toThrow(/belongs to no compose project/);
      await expect(assertInProject(found[0].id, stack.project)).resolves.toMatchObject({ id: found[0].id });
      const entry = (containerId: string): JournalEntry => ({
        id: 'f1',
        kind: 'stop',
        project: stack.project,
        createdAt: new Date().toISOString(),
        pid: process.pid,
        steps: [{ op: 'start-container', containerId, name: 'x' }],
      });
      expect(await checkEntryOnHost(entry(id))).toEqual({
        field: 'steps[0].containerId',
        message: expect.stringContaining('belongs to no compose project'),
      });
      expect(await checkEntryOnHost(entry(found[0].id))).toBeNull();
      // Our own sweep, which runs after compose's `down` (compose v2's leaves such a container
      // too; v1's stops and removes anything with the project label, one-off or not).
      await removeProjectResources(stack.project);
      expect(await listProjectContainers(stack.project)).toEqual([]);
      const state = await execCommand('docker', ['inspect', '-f', '{{.State.Status}}', id]);
      expect(state.stdout.trim()).toBe('running');
    } finally {
      await stack.down();
      await execCommand('docker', ['rm', '-f', id]);
      await execCommand('docker', ['rmi', image]);
    }
  });

  it('names a missing compose file and starts nothing', async () => {
    const stack = stackFor('does-not-exist.yml');
    await expect(stack.up({ build: false })).rejects.toThrow(
      `compose file not found: ${path.join(fixtures, 'does-not-exist.yml')}`,
    );
    expect(await projectLeftovers(stack.project)).toEqual(NOTHING_LEFT);
  });

  it('names a compose file that does not parse and starts nothing', async () => {
    const stack = stackFor('unparsable.yml');
    const error = await stack.up({ build: false }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/unparsable\.yml:5: compose file does not parse: .+/);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(await projectLeftovers(stack.project)).toEqual(NOTHING_LEFT);
  });

  it('times out on a service that never becomes healthy, naming it with its last log lines', async () => {
    const stack = stackFor('never-healthy.yml');
    try {
      const error = await stack.up({ build: false, healthTimeoutMs: 4_000 }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(/^service stuck is not healthy after 4s \(status: (starting|unhealthy)\)/);
      expect(message).toContain('| waiting for a dependency that never comes');
    } finally {
      await stack.down();
    }
    expect(await projectLeftovers(stack.project)).toEqual(NOTHING_LEFT);
  });

  it('fails fast on a service that exits while starting, showing its output', async () => {
    const stack = stackFor('crashing.yml');
    try {
      const started = Date.now();
      const error = await stack.up({ build: false, healthTimeoutMs: 60_000 }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/^service crashy exited with code 3 while starting/);
      expect((error as Error).message).toContain('| fatal: config missing');
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await stack.down();
    }
    expect(await projectLeftovers(stack.project)).toEqual(NOTHING_LEFT);
    expect(await listProjectContainers(stack.project)).toEqual([]);
  });

  it('says in one sentence when the Docker engine is unreachable', async () => {
    // A child process, because the dockerode client of this one is already bound to the real socket.
    const result = await inChild(
      `require(${JSON.stringify(path.join(__dirname, '../../../src/stack/docker.ts'))}).assertDockerReachable()` +
        `.then(()=>process.exit(0), e=>{console.error(e.message);process.exit(3)})`,
      { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    );
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^Docker engine unreachable at unix:\/\/\/nonexistent\/docker\.sock \(.+\); start Docker/,
    );
    await expect(assertDockerReachable()).resolves.toBeUndefined();
  });
});
