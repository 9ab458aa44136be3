// Crash safety: a child process injects pause, partition, latency and stop, and is killed
// with SIGKILL while all four are active. `cleanup` (the journal replay) must then restore
// every container to running and unpaused, with no chain or DNAT rule of ours left in any
// network namespace — every round.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupCommand } from '../../../src/cli/cleanup-command';
import type { ComposeStack } from '../../../src/stack/compose';
import { listProjectContainers } from '../../../src/stack/targets';
import { docker } from '../../../src/stack/docker';
import { clientProbe, containerOf, ensureFixtureImage, leftoverChains, startFixtureStack } from './helpers';

jest.setTimeout(240_000);

const ROUNDS = 10;
const CHILD = path.resolve(__dirname, '../../fixtures/faults/inject-child.ts');

let stack: ComposeStack;

beforeAll(async () => {
  stack = await startFixtureStack('faults-crash', await ensureFixtureImage());
});

afterAll(async () => {
  await stack?.down();
});

/**
 * Runs the child with `npx tsx` until it reports READY (all faults active), then SIGKILLs the
 * injecting process itself (tsx's launcher then exits on its own).
 */
function injectThenKill(project: string, journal: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', CHILD, project, journal], { stdio: ['ignore', 'pipe', 'pipe'] });
    let injector = 0;
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child never became READY: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const ready = /READY (\d+)/.exec(chunk.toString());
      if (ready) {
        clearTimeout(timer);
        injector = Number(ready[1]);
        process.kill(injector, 'SIGKILL');
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (injector) resolve();
      else reject(new Error(`child exited with ${code} before READY: ${stderr}`));
    });
  });
}

test(`${ROUNDS} rounds of inject + SIGKILL + cleanup leave the stack whole`, async () => {
  let restored = 0;
  const failures: string[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const journal = path.join(os.tmpdir(), `chaos-crash-${stack.project}-${round}.json`);
    try {
      await injectThenKill(stack.project, journal);
      // The faults really are in place after the kill…
      const broken = {
        webPaused: (await containerOf(stack.project, 'web')).State.Paused,
        spareRunning: (await containerOf(stack.project, 'spare')).State.Running,
        chains: (await leftoverChains(stack.project)).length,
        journal: existsSync(journal),
      };
      expect(broken).toEqual({
        webPaused: true,
        spareRunning: false,
        chains: expect.any(Number),
        journal: true,
      });
      expect(broken.chains).toBeGreaterThan(0);
      // …and cleanup undoes all of them.
      expect(await cleanupCommand(['cleanup', '--journal', journal])).toBe(0);
      const states = await Promise.all(
        (await listProjectContainers(stack.project)).map(async (c) => {
          const inspect = await docker().getContainer(c.id).inspect();
          return `${c.service}:${inspect.State.Status}:${inspect.State.Paused}`;
        }),
      );
      expect(states.every((s) => s.endsWith(':running:false'))).toBe(true);
      expect(await leftoverChains(stack.project)).toEqual([]);
      expect(existsSync(journal)).toBe(false);
      expect((await clientProbe(stack.project, 'redis', 6379)).ms).toBeLessThan(50);
      // A second replay finds nothing to do.
      expect(await cleanupCommand(['--journal', journal])).toBe(0);
      restored += 1;
    } catch (error) {
      failures.push(`round ${round}: ${error instanceof Error ? error.message : String(error)}`);
      await cleanupCommand(['--journal', journal]);
    } finally {
      rmSync(journal, { force: true });
    }
  }
  console.log(`crash-safety: ${restored}/${ROUNDS} rounds restored by cleanup`);
  expect(failures).toEqual([]);
});
