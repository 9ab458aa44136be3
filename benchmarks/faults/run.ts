// How long each fault kind takes to inject (act + prove) and to revert, on the fixture stack
// of the fault tests: the median over RUNS runs per kind, as a table, then one summary line:
//   faults-bench: worst-inject-ms=N worst-revert-ms=N
// usage: npm run bench:faults   (CHAOS_BENCH_RUNS=5 by default)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFaultContext, injectFault } from '../../src/faults';
import type { FaultSpec } from '../../src/faults/spec';
import { monotonicMs } from '../../src/util/clock';
import { ensureFixtureImage, startFixtureStack } from '../../__tests__/integration/faults/helpers';

const RUNS = Number(process.env.CHAOS_BENCH_RUNS ?? 5);
const toxic = { port: 6379, direction: 'downstream', toxicity: 1, from: null, durationMs: 0 } as const;

const CASES: { label: string; service: string; spec: FaultSpec }[] = [
  { label: 'stop', service: 'redis', spec: { type: 'stop', durationMs: 0, stopTimeoutMs: 1000 } },
  { label: 'kill', service: 'redis', spec: { type: 'kill', signal: 'SIGKILL', restart: true } },
  { label: 'pause', service: 'web', spec: { type: 'pause', durationMs: 0 } },
  {
    label: 'flap',
    service: 'redis',
    spec: { type: 'flap', downMs: 200, upMs: 200, durationMs: 0, stopTimeoutMs: 1000 },
  },
  {
    label: 'partition drop',
    service: 'redis',
    spec: { type: 'partition', mode: 'drop', from: null, durationMs: 0 },
  },
  {
    label: 'partition disconnect',
    service: 'redis',
    spec: { type: 'partition', mode: 'disconnect', from: null, durationMs: 0 },
  },
  {
    label: 'latency 100ms',
    service: 'redis',
    spec: { type: 'latency', delayMs: 100, jitterMs: 0, ...toxic },
  },
  { label: 'bandwidth', service: 'redis', spec: { type: 'bandwidth', rateBytesPerSecond: 10_000, ...toxic } },
  { label: 'stall', service: 'redis', spec: { type: 'stall', timeoutMs: 0, ...toxic } },
  { label: 'reset_peer', service: 'redis', spec: { type: 'reset_peer', resetAfterMs: 0, ...toxic } },
  { label: 'down', service: 'redis', spec: { type: 'down', ...toxic } },
  {
    label: 'memory hog',
    service: 'leaky',
    spec: {
      type: 'memory',
      method: 'hog',
      path: '',
      port: null,
      stepBytes: 8 * 2 ** 20,
      intervalMs: 200,
      durationMs: 0,
    },
  },
  { label: 'cpu', service: 'web', spec: { type: 'cpu', workers: 1, durationMs: 0 } },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const image = await ensureFixtureImage();
  const stack = await startFixtureStack('faults-bench', image);
  const journalPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'chaos-faults-bench-')), 'journal.json');
  const rows: { label: string; inject: number; revert: number }[] = [];
  try {
    const ctx = await createFaultContext({ project: stack.project, journalPath });
    for (const { label, service, spec } of CASES) {
      const injects: number[] = [];
      const reverts: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const started = monotonicMs();
        const fault = await injectFault(ctx, { service }, spec);
        injects.push(monotonicMs() - started);
        const revertStarted = monotonicMs();
        await fault.revert();
        reverts.push(monotonicMs() - revertStarted);
      }
      rows.push({ label, inject: median(injects), revert: median(reverts) });
      process.stdout.write(`  ${label}: done\n`);
    }
  } finally {
    await stack.down();
    rmSync(journalPath, { force: true });
  }
  const width = Math.max(...rows.map((r) => r.label.length), 'fault'.length);
  process.stdout.write(`\nmedian of ${RUNS} runs (inject = act + measured proof; revert = undo + journal)\n`);
  process.stdout.write(
    `${'fault'.padEnd(width)}  ${'inject ms'.padStart(10)}  ${'revert ms'.padStart(10)}\n`,
  );
  for (const row of rows) {
    process.stdout.write(
      `${row.label.padEnd(width)}  ${row.inject.toFixed(0).padStart(10)}  ${row.revert.toFixed(0).padStart(10)}\n`,
    );
  }
  const worstInject = Math.max(...rows.map((r) => r.inject));
  const worstRevert = Math.max(...rows.map((r) => r.revert));
  process.stdout.write(
    `faults-bench: worst-inject-ms=${Math.round(worstInject)} worst-revert-ms=${Math.round(worstRevert)}\n`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`faults-bench: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
