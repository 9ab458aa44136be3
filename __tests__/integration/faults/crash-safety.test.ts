// Crash safety: a child process injects pause, partition, latency and stop, and is killed
// with SIGKILL while all four are active. `cleanup` (the journal replay) must then restore
// every container to running and unpaused, with no chain or DNAT rule of ours left in any
// network namespace — every round. Then the same through the runner: a two-fault scenario
// (latency on redis for the phase, spare stopped inside it) killed at a different point each
// round — as the first fault is journalled, with both in, after the inner one was reverted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupCommand } from '../../../src/cli/cleanup-command';
import type { ComposeStack } from '../../../src/stack/compose';
import { listProjectContainers } from '../../../src/stack/targets';
import { docker } from '../../../src/stack/docker';
import {
  clientProbe,
  containerOf,
  ensureFixtureImage,
  ipOf,
  leftoverChains,
  startFixtureStack,
} from './helpers';

jest.setTimeout(240_000);

// Three rounds each in the test command (every kill point of the runner once); the soak of many
// rounds is a benchmark: `npm run bench:crash` (CHAOS_CRASH_ROUNDS, default 20 there).
const ROUNDS = Number(process.env.CHAOS_CRASH_ROUNDS ?? 3);
const CHILD = path.resolve(__dirname, '../../fixtures/faults/inject-child.ts');
const RUNNER_CHILD = path.resolve(__dirname, '../../fixtures/faults/run-scenario-child.ts');
const RUNNER_ROUNDS = ROUNDS;

let stack: ComposeStack;
/** A directory of our own: a journal is refused in one other users can write to (/tmp itself). */
const journalDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-crash-'));

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
    const journal = path.join(journalDir, `${stack.project}-${round}.json`);
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
      expect(await cleanupCommand(['cleanup', '--journal-path', journal])).toBe(0);
      const states = await Promise.all(
        (await listProjectContainers(stack.project)).map(async (c) => {
          const inspect = await docker().getContainer(c.id).inspect();
          return `${c.service}:${inspect.State.Status}:${inspect.State.Paused}`;
        }),
      );
      expect(states.every((s) => s.endsWith(':running:false'))).toBe(true);
      expect(await leftoverChains(stack.project)).toEqual([]);
      expect(existsSync(journal)).toBe(false);
      // The 100 ms latency is gone: the fastest of three probes (one can be slow on a loaded machine).
      const probes = [];
      for (let i = 0; i < 3; i++) probes.push((await clientProbe(stack.project, 'redis', 6379)).ms);
      expect(Math.min(...probes)).toBeLessThan(50);
      // A second replay finds nothing to do.
      expect(await cleanupCommand(['--journal-path', journal])).toBe(0);
      restored += 1;
    } catch (error) {
      failures.push(`round ${round}: ${error instanceof Error ? error.message : String(error)}`);
      await cleanupCommand(['--journal-path', journal]);
    } finally {
      rmSync(journal, { force: true });
    }
  }
  console.log(`crash-safety: ${restored}/${ROUNDS} rounds restored by cleanup`);
  expect(failures).toEqual([]);
});

/** The kinds of the journal's entries now; a file being rewritten reads as what it was. */
function journalKinds(journal: string, last: string[]): string[] {
  try {
    return (JSON.parse(readFileSync(journal, 'utf8')) as { entries: { kind: string }[] }).entries.map(
      (e) => e.kind,
    );
  } catch {
    return existsSync(journal) ? last : [];
  }
}

type KillPoint = 'first-journalled' | 'both-in' | 'inner-reverted' | 'never';

/**
 * Runs the two-fault scenario in a child and SIGKILLs it at `point`, read from the journal:
 * the first entry written (the latency may still be acting or proving itself), the stop's
 * entry written (both in), the stop's entry gone with the latency's still there (the inner
 * fault reverted). Resolves with the journal states seen and, when not killed, the child's
 * DONE line. (A latency fault journals two entries: the toxic, then its route.)
 */
function runThenKill(
  project: string,
  journal: string,
  webUrl: string,
  point: KillPoint,
): Promise<{ seen: string[]; done: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', RUNNER_CHILD, project, journal, webUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pid = 0;
    let killed = false;
    let stdout = '';
    let stderr = '';
    const seen: string[] = [];
    let last: string[] = [];
    let stopSeen = false;
    const kill = () => {
      if (killed || !pid) return;
      killed = true;
      process.kill(pid, 'SIGKILL');
    };
    const poll = setInterval(() => {
      const now = journalKinds(journal, last);
      if (now.join(',') !== last.join(',')) seen.push(now.join(',') || '-');
      last = now;
      stopSeen ||= now.includes('stop');
      if (point === 'first-journalled' && now.length >= 1) kill();
      if (point === 'both-in' && now.includes('stop')) kill();
      if (point === 'inner-reverted' && stopSeen && !now.includes('stop') && now.includes('latency')) kill();
    }, 5);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (pid) process.kill(pid, 'SIGKILL');
      reject(
        new Error(
          `no kill point ${point} within 90 s (journal entries seen: ${seen.join(' → ')}): ${stderr}`,
        ),
      );
    }, 90_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      pid ||= Number(/PID (\d+)/.exec(stdout)?.[1] ?? 0);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      const done = /DONE (.*)/.exec(stdout)?.[1] ?? null;
      if (killed || (point === 'never' && done)) resolve({ seen, done });
      else
        reject(new Error(`child exited with ${code} before ${point} (seen ${seen.join(' → ')}): ${stderr}`));
    });
  });
}

/** Every container of the project running and unpaused, no rule of ours, redis answering at once. */
async function expectWhole(project: string): Promise<void> {
  const states = await Promise.all(
    (await listProjectContainers(project)).map(async (c) => {
      const inspect = await docker().getContainer(c.id).inspect();
      return `${c.service}:${inspect.State.Status}:${inspect.State.Paused}`;
    }),
  );
  expect(states.filter((s) => !s.endsWith(':running:false'))).toEqual([]);
  expect(await leftoverChains(project)).toEqual([]);
  const probes = [];
  for (let i = 0; i < 3; i++) probes.push((await clientProbe(project, 'redis', 6379)).ms);
  expect(Math.min(...probes)).toBeLessThan(50); // the 100 ms latency is gone
}

test('a two-fault scenario run by the runner is injected and reverted in reverse order', async () => {
  const webUrl = `http://${await ipOf(stack.project, 'web')}:8080`;
  const journal = path.join(journalDir, `${stack.project}-runner-whole.json`);
  try {
    const { seen, done } = await runThenKill(stack.project, journal, webUrl, 'never');
    const result = JSON.parse(done as string) as {
      outcome: string;
      reason: string;
      faults: { kind: string; injectedAtMs: number; revertedAtMs: number }[];
    };
    expect({ outcome: result.outcome, reason: result.reason }).toEqual({ outcome: 'pass', reason: '' });
    // Journal: latency in (the toxic, then its route), stop in, stop out (latency still in), latency out.
    const both = seen.findIndex((kinds) => kinds.includes('latency') && kinds.includes('stop'));
    const stopOut = seen.findIndex(
      (kinds, i) => i > both && kinds.includes('latency') && !kinds.includes('stop'),
    );
    expect({ seen, both: both > 0, stopOutBeforeLatency: stopOut > both }).toEqual({
      seen,
      both: true,
      stopOutBeforeLatency: true,
    });
    expect(seen[0]).not.toContain('stop');
    expect(seen.at(-1)).toBe('-');
    const [latency, stop] = result.faults;
    expect([latency.kind, stop.kind]).toEqual(['latency', 'stop']);
    expect(stop.injectedAtMs).toBeGreaterThan(latency.injectedAtMs);
    expect(stop.revertedAtMs).toBeLessThan(latency.revertedAtMs);
    await expectWhole(stack.project);
  } finally {
    rmSync(journal, { force: true });
  }
}, 120_000);

test(`${RUNNER_ROUNDS} rounds of a two-fault scenario SIGKILLed at any point, then cleanup, leave the stack whole`, async () => {
  const webUrl = `http://${await ipOf(stack.project, 'web')}:8080`;
  const points: KillPoint[] = ['first-journalled', 'both-in', 'inner-reverted'];
  const started = Date.now();
  let restored = 0;
  const failures: string[] = [];
  const pointsSeen: string[] = [];
  for (let round = 1; round <= RUNNER_ROUNDS; round += 1) {
    const point = points[(round - 1) % points.length];
    const journal = path.join(journalDir, `${stack.project}-runner-${round}.json`);
    try {
      const { seen } = await runThenKill(stack.project, journal, webUrl, point);
      // The kill left entries behind for cleanup to replay…
      expect(journalKinds(journal, []).length).toBeGreaterThan(0);
      expect(await cleanupCommand(['cleanup', '--journal-path', journal])).toBe(0);
      // …and after it nothing of ours is left.
      await expectWhole(stack.project);
      expect(existsSync(journal)).toBe(false);
      restored += 1;
      pointsSeen.push(`${point}: ${seen.join(' → ')}`);
    } catch (error) {
      failures.push(`round ${round} (${point}): ${error instanceof Error ? error.message : String(error)}`);
      await cleanupCommand(['--journal-path', journal]);
    } finally {
      rmSync(journal, { force: true });
    }
  }
  console.log(
    `crash-safety (runner, two faults): ${restored}/${RUNNER_ROUNDS} rounds restored by cleanup in ${((Date.now() - started) / 1000).toFixed(1)} s\n${pointsSeen.join('\n')}`,
  );
  expect(failures).toEqual([]);
}, 600_000);
