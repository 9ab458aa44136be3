// Where a paired run's noise comes from (docs/calibration.md, "What widens the intervals"):
// paired load-test runs, A/A and A/B (+1 ms: the slower variant without collector delay), under
// each arm (a way of running the two sides), round by round so that the machine's load drifts
// over every arm alike. Each run dumps both sides' samples (CHAOS_PAIRED_SAMPLES), which
// noise-analysis.ts then judges with each statistical candidate on identical data, and traces
// the generator's garbage collections (node --trace-gc).
//
//   NOISE_ROUNDS (default 3), NOISE_ARMS (default plain,pinned), NOISE_SERIES (default AA,AB),
//   NOISE_DURATION (default 30s), VERDICT_BENCH_FROM=HEAD (a snapshot of the committed tree).
// Arms: plain (both sides on every CPU), pinned (each side's containers on half of the CPUs,
// paired-cpus.ts), interleaved (both sides' loads taking turns second by second,
// CHAOS_PAIRED_MODE=interleaved: each stack loaded while the other rests; the analysis pairs
// the PR's second with the base's next one). Trimming the seconds in which both sides stalled
// is a statistical candidate, judged by noise-analysis.ts on every arm's samples.
// Series: AA, AB, alone (load-test on the PR stack without a base: what an unpaired run measures).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EXAMPLE,
  CONFIG,
  ROOT,
  SLOWER,
  loadAverage,
  log,
  pairedLoadTest,
  runCli,
  snapshot,
  type CliRun,
} from './cli';
import { analyse, describeFigures, dumpsUnder, readDump, summarise, type Figures } from './noise-analysis';

const ROUNDS = Number(process.env.NOISE_ROUNDS ?? 3);
const ARMS = (process.env.NOISE_ARMS ?? 'plain,pinned').split(',').filter(Boolean);
const SERIES = (process.env.NOISE_SERIES ?? 'AA,AB').split(',').filter(Boolean);
const DURATION = process.env.NOISE_DURATION ?? '30s';
const FROM_HEAD = (process.env.VERDICT_BENCH_FROM ?? '').toUpperCase() === 'HEAD';

const ARM_ENV: Record<string, NodeJS.ProcessEnv> = {
  plain: { CHAOS_PAIRED_CPUS: 'off' },
  pinned: { CHAOS_PAIRED_CPUS: 'on' },
  interleaved: { CHAOS_PAIRED_CPUS: 'off', CHAOS_PAIRED_MODE: 'interleaved' },
};

function seriesArgs(series: string): { args: string[]; env: NodeJS.ProcessEnv } {
  switch (series) {
    case 'AA':
      return { args: pairedLoadTest([], DURATION), env: {} };
    case 'AB':
      // No collector delay: the blocking export alone, about 1 ms a request.
      return { args: pairedLoadTest([EXAMPLE, SLOWER], DURATION), env: { SLOWER_EXPORT_DELAY_MS: '0' } };
    case 'alone':
      return {
        args: ['--config-file', CONFIG, '--scenarios', 'load-test', '--params', `duration=${DURATION}`],
        env: {},
      };
    default:
      throw new Error(`unknown series ${series} (AA, AB, alone)`);
  }
}

/** Pauses of the main thread's collections, from node --trace-gc lines ("…, 1.23 / 0.00 ms"). */
function gcPauses(file: string | null): number[] {
  if (!file) return [];
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const pauses: number[] = [];
  for (const line of text.split('\n')) {
    const m = /ms: (?:Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^,]*, ([\d.]+) \/ [\d.]+ ms/.exec(
      line,
    );
    if (m) pauses.push(Number(m[1]));
  }
  return pauses;
}

function describeRun(run: CliRun): string {
  if (!run.result) return `no results (exit ${run.exitCode}): ${run.failure}`;
  const s = run.result.scenarios.find((x) => x.name === 'load-test');
  if (!s) return 'no load-test';
  const fault = s.phases.find((p) => p.phase === 'fault');
  const thresholds = s.thresholds.map(
    (t) => `${t.metric} ${t.passed === null ? '?' : t.passed ? 'ok' : 'FAIL'}`,
  );
  return `load-test ${s.outcome}; fault p50 ${fault?.p50Ms ?? '—'} p95 ${fault?.p95Ms ?? '—'} ms; ${thresholds.join(', ')}`;
}

async function main(): Promise<void> {
  const unknownArm = ARMS.find((arm) => !(arm in ARM_ENV));
  if (unknownArm) throw new Error(`unknown arm ${unknownArm} (${Object.keys(ARM_ENV).join(', ')})`);
  const tree = FROM_HEAD ? snapshot() : ROOT;
  const work = mkdtempSync(path.join(os.tmpdir(), 'verdict-noise-'));
  log(
    `noise: ${ROUNDS} round(s) × arms ${ARMS.join(',')} × series ${SERIES.join(',')}, fault phase ${DURATION}, ` +
      `${os.cpus().length} cores; load average ${loadAverage()}; under ${work}`,
  );
  const gc = new Map<string, number[]>();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const arm of ARMS) {
        for (const series of SERIES) {
          const { args, env } = seriesArgs(series);
          const dir = path.join(work, arm, series);
          mkdirSync(dir, { recursive: true });
          const run = await runCli(
            tree,
            dir,
            `round-${round}`,
            args,
            {
              ...ARM_ENV[arm],
              ...env,
              CHAOS_PAIRED_SAMPLES: path.join(dir, 'samples'),
            },
            true,
            ['--trace-gc'],
          );
          const pauses = gcPauses(run.stdoutFile);
          gc.set(`${arm}/${series}`, [...(gc.get(`${arm}/${series}`) ?? []), ...pauses]);
          log(
            `${arm}/${series} ${round}/${ROUNDS} (${Math.round(run.seconds)}s, load ${loadAverage()}): ${describeRun(run)}; ` +
              `GC ${pauses.length} pauses, max ${Math.max(0, ...pauses).toFixed(1)} ms`,
          );
        }
      }
    }
  } finally {
    if (tree !== ROOT) rmSync(tree, { recursive: true, force: true });
  }
  for (const arm of ARMS) {
    for (const series of SERIES) {
      if (series === 'alone') continue;
      const list: Figures[] = [];
      for (const file of dumpsUnder(path.join(work, arm, series))) {
        const dump = readDump(file);
        const x = dump ? analyse(dump, 'fault', file) : null;
        if (x) {
          list.push(x);
          console.log(`${arm}/${series} ${describeFigures(x)}`);
        }
      }
      console.log(summarise(`${arm}/${series}`, list, 0.5));
    }
  }
  for (const [key, pauses] of gc) {
    const sorted = [...pauses].sort((a, b) => a - b);
    const total = sorted.reduce((s, v) => s + v, 0);
    console.log(
      `gc ${key}: ${sorted.length} pauses over ${ROUNDS} run(s), total ${total.toFixed(0)} ms, ` +
        `p99 ${(sorted[Math.floor(sorted.length * 0.99)] ?? 0).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ms`,
    );
  }
  console.log(`noise: results under ${work}; load average ${loadAverage()}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`noise: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
