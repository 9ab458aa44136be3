// The revert's life cycle on a FaultHandle with fake hooks: a revert whose proof finds a
// problem rejects with FaultRevertUnprovenError and keeps its journal entry for cleanup; a
// proven one drops it. No Docker: the handles have no journalled steps.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { concurrentGroups, FaultHandle, type RevertCheck } from '../../../src/faults/fault-handle';
import { Journal } from '../../../src/faults/journal';
import { installMonitor } from '../../../src/faults/network/monitor';
import type { RouteRegistry } from '../../../src/faults/network/route';
import { type FaultContext, FaultRevertError, FaultRevertUnprovenError } from '../../../src/faults';

function context(): FaultContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    project: 'p',
    journal: new Journal(
      path.join(mkdtempSync(path.join(os.tmpdir(), 'fault-handle-test-')), 'journal.json'),
    ),
    log: (line) => lines.push(line),
    privileges: { mode: 'none', tools: { nsenter: null, iptables: null, tc: null }, cgroupVersion: null },
    routes: undefined as unknown as RouteRegistry,
    lines,
  };
}

async function injected(ctx: FaultContext, verify?: () => Promise<RevertCheck>): Promise<FaultHandle> {
  const handle = await FaultHandle.begin(ctx, 'stop', ['redis/p-redis-1'], []);
  handle.hooks.verifyRevert = verify;
  return handle.markInjected();
}

const ids = (ctx: FaultContext) => ctx.journal.read().entries.map((entry) => entry.id);

test('a revert whose proof finds a problem rejects, naming it, and keeps the journal entry', async () => {
  const ctx = context();
  const handle = await injected(ctx, async () => ({
    evidence: ['p-redis-1 NOT running after revert: state=exited exitCode=0'],
    problems: ['redis/p-redis-1: still exited 5s after the revert (state=exited exitCode=0)'],
  }));
  const revert = handle.revert();
  await expect(revert).rejects.toThrow(FaultRevertUnprovenError);
  await expect(revert).rejects.toThrow(FaultRevertError);
  await expect(revert).rejects.toThrow(
    /reverting stop [0-9a-f]{8} did not take hold: redis\/p-redis-1: still exited 5s after the revert \(state=exited exitCode=0\) \(kept in journal .*journal\.json\)/,
  );
  const error = (await revert.catch((e: unknown) => e)) as FaultRevertUnprovenError;
  expect(error.problems).toEqual([
    'redis/p-redis-1: still exited 5s after the revert (state=exited exitCode=0)',
  ]);
  // The evidence line stays, the entry stays for cleanup, and a second call gives the same answer.
  expect(handle.evidence()).toContain('p-redis-1 NOT running after revert: state=exited exitCode=0');
  expect(ids(ctx)).toEqual([handle.id]);
  expect(handle.revert()).toBe(revert);
  // The steps did run: the revert has its time, the proof is not counted in it.
  expect(handle.revertedAtMs).not.toBeNull();
});

test('a proven revert resolves, records its evidence and drops the journal entry', async () => {
  const ctx = context();
  const handle = await injected(ctx, async () => ({
    evidence: ['p-redis-1 running again: state=running'],
    problems: [],
  }));
  expect(ids(ctx)).toEqual([handle.id]);
  await handle.revert();
  expect(handle.evidence()).toEqual(['p-redis-1 running again: state=running']);
  expect(ids(ctx)).toEqual([]);
});

test('a proof that throws is a problem: the revert is not proven', async () => {
  const ctx = context();
  const handle = await injected(ctx, () => Promise.reject(new Error('inspect: connection refused')));
  await expect(handle.revert()).rejects.toThrow(
    /did not take hold: the revert could not be verified: inspect: connection refused/,
  );
  expect(ids(ctx)).toEqual([handle.id]);
});

test('without a proof hook the revert resolves once its steps ran', async () => {
  const ctx = context();
  const handle = await injected(ctx);
  await handle.revert();
  expect(ids(ctx)).toEqual([]);
});

test('a failing teardown rejects with FaultRevertError (not "unproven") and the proof is not run', async () => {
  const ctx = context();
  const verify = jest.fn(async (): Promise<RevertCheck> => ({ evidence: [], problems: [] }));
  const handle = await injected(ctx, verify);
  handle.hooks.beforeSteps = () => Promise.reject(new Error('loop would not stop'));
  const error = await handle.revert().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FaultRevertError);
  expect(error).not.toBeInstanceOf(FaultRevertUnprovenError);
  expect((error as Error).message).toMatch(/failed: teardown: loop would not stop/);
  expect(verify).not.toHaveBeenCalled();
  expect(ids(ctx)).toEqual([handle.id]);
});

test('monitor.revert() rejects, naming the counting proxy, when its route could not be removed', async () => {
  const ctx = context();
  const route = {
    port: 6379,
    legs: [],
    chainEvidence: ['DNAT chain CHAOS-x-DNAT in p-client-1'],
    probe: async () => ({ outcome: 'reply', connectMs: 1, totalMs: 1, error: '', localPort: 1 }),
    release: () =>
      Promise.reject(
        new FaultRevertError(
          'reverting route ab12 failed: remove-chain: failed: iptables: Permission denied',
        ),
      ),
  };
  ctx.routes = { acquire: async () => ({ route, created: true, sources: null }) } as unknown as RouteRegistry;
  const monitor = await installMonitor(ctx, { service: 'redis' }, { port: 6379, from: null });
  const error = await monitor.revert().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FaultRevertError);
  expect((error as Error).message).toMatch(
    /reverting monitor [0-9a-f]{8} failed: teardown: the counting proxy for redis:6379 was not removed: reverting route ab12 failed: remove-chain: failed: iptables: Permission denied/,
  );
  expect(ids(ctx)).toEqual([monitor.id]);
});

test('chain removals in a row run together; every other step runs alone, in journal order', () => {
  const chain = (name: string) =>
    ({
      op: 'remove-chain',
      containerId: name,
      name,
      table: 'filter',
      parent: 'OUTPUT',
      chain: 'CHAOS-0a1b2c3d-DROP',
    }) as const;
  const start = { op: 'start-container', containerId: 's', name: 's' } as const;
  const groups = concurrentGroups([chain('a'), chain('b'), start, chain('c'), start]);
  expect(groups.map((g) => g.map((step) => ('name' in step ? step.name : step.op)))).toEqual([
    ['a', 'b'],
    ['s'],
    ['c'],
    ['s'],
  ]);
});
