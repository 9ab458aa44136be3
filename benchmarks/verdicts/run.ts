// How steady the gate's verdicts are, and whether a paired run sees a real regression
// (npm run bench:verdicts). Prints figures; it is not a test. Series of RUNS runs each,
// interleaved round by round so that the machine's load drifts over all of them alike:
//   default  the default suite on the resilient example, unpaired: do scenario outcomes flip?
//   AA60     load-test paired with itself (--base-compose the same file), 60 s fault phase
//   AB60     load-test, the slower variant with a 5 ms collector delay against the example, 60 s
//   AA30     A/A at the default 30 s phase
//   AB30     the +1 ms variant (blocking export, no collector delay) at 30 s: what CI sees
//   alone30  load-test on the PR stack alone, 30 s: what the absolute thresholds give unpaired
// Per paired series it prints the fault phase's verdict counts (A/A within / inconclusive /
// regressed, A/B regressed / inconclusive / within) on the checks the scenario is judged on
// (its default ones: comparison.judgedOn), the median floor of each latency candidate, and the
// absolute thresholds that failed. Ends with one line:
//   verdict-bench: runs=N flips=K aa-false-regressions=F ab-detected=D/M
// Environment: VERDICT_BENCH_RUNS (default 5); VERDICT_BENCH_SERIES (default
// default,AA60,AB60,AA30,AB30); VERDICT_BENCH_FROM=HEAD runs a snapshot of the committed tree
// (git archive) instead of the working tree; VERDICT_BENCH_REREAD=DIR runs nothing and summarises
// the results an earlier or unfinished bench left under DIR; CHAOS_COMPOSE is passed through.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkFloor } from '../../src/compare/default-check';
import type { PhaseComparison, RunResult, ScenarioResult } from '../../src/results';
import {
  CONFIG,
  EXAMPLE,
  ROOT,
  SLOWER,
  loadAverage,
  log,
  pairedLoadTest,
  runCli,
  snapshot,
  type CliRun,
} from './cli';

const RUNS = Number(process.env.VERDICT_BENCH_RUNS ?? 5);
const FROM_HEAD = (process.env.VERDICT_BENCH_FROM ?? '').toUpperCase() === 'HEAD';
/** VERDICT_BENCH_REREAD=DIR: no runs, the results under DIR (an earlier bench's) summarised again. */
const REREAD = process.env.VERDICT_BENCH_REREAD ?? null;

type Kind = 'suite' | 'A/A' | 'A/B' | 'alone';

interface SeriesSpec {
  name: string;
  kind: Kind;
  args: string[];
  env: NodeJS.ProcessEnv;
  what: string;
}

const ALL_SERIES: SeriesSpec[] = [
  {
    name: 'default',
    kind: 'suite',
    args: ['--config-file', CONFIG, '--suite', 'default'],
    env: {},
    what: 'default suite, unpaired',
  },
  // The config's own compose file on the PR side: the same files as the base.
  { name: 'AA60', kind: 'A/A', args: pairedLoadTest([], '60s'), env: {}, what: 'A/A, 60 s' },
  {
    name: 'AB60',
    kind: 'A/B',
    args: pairedLoadTest([EXAMPLE, SLOWER], '60s'),
    env: { SLOWER_EXPORT_DELAY_MS: '5' },
    what: 'A/B blocking export + 5 ms collector delay, 60 s',
  },
  { name: 'AA30', kind: 'A/A', args: pairedLoadTest([], '30s'), env: {}, what: 'A/A, 30 s' },
  {
    name: 'AB30',
    kind: 'A/B',
    args: pairedLoadTest([EXAMPLE, SLOWER], '30s'),
    env: { SLOWER_EXPORT_DELAY_MS: '0' },
    what: 'A/B blocking export, no delay (+1 ms), 30 s',
  },
  {
    name: 'alone30',
    kind: 'alone',
    args: ['--config-file', CONFIG, '--scenarios', 'load-test', '--params', 'duration=30s'],
    env: {},
    what: 'load-test on the PR stack alone, 30 s',
  },
];

const WANTED = (process.env.VERDICT_BENCH_SERIES ?? 'default,AA60,AB60,AA30,AB30').split(',').filter(Boolean);

interface Run extends CliRun {
  series: SeriesSpec;
  round: number;
}

function loadTest(run: Run): ScenarioResult | null {
  return run.result?.scenarios.find((s) => s.name === 'load-test') ?? null;
}

function faultComparison(run: Run): PhaseComparison | null {
  return loadTest(run)?.comparison?.phases.find((p) => p.phase === 'fault') ?? null;
}

/** The regression thresholds' results (the scenario's or the defaults a paired run adds). */
const isRegression = (t: ScenarioResult['thresholds'][number]): boolean =>
  / (regression|shift)$/.test(t.metric);

/** The absolute thresholds that failed, blocking (a warning is reported, never decisive). */
function absoluteFailures(run: Run): string[] {
  return (loadTest(run)?.thresholds ?? [])
    .filter((t) => !isRegression(t) && t.passed === false && t.severity !== 'warning')
    .map((t) => `${t.source} (${t.actual})`);
}

/** The absolute thresholds violated as warnings: both sides broke them under the double load. */
function absoluteWarnings(run: Run): string[] {
  return (loadTest(run)?.thresholds ?? [])
    .filter((t) => !isRegression(t) && t.passed === false && t.severity === 'warning')
    .map((t) => `${t.source} (${t.actual})`);
}

/** The latency check the fault phase was judged on ("p95", "p50 shift"). */
function judgedLatency(run: Run): string | null {
  const checks = loadTest(run)?.comparison?.judgedOn?.checks ?? [];
  return checks.find((c) => c.name !== 'error rate')?.name ?? null;
}

/** The floors of the two default candidates in the fault phase: p95 (relative), the shift (ms). */
function floors(run: Run): { p95: number | null; shift: number | null } {
  const fault = faultComparison(run);
  if (!fault) return { p95: null, shift: null };
  const shift = fault.shift
    ? checkFloor({ change: fault.shift.estimateMs, low: fault.shift.lowMs, high: fault.shift.highMs })
    : null;
  return { p95: checkFloor(fault.p95), shift };
}

const pct = (v: number | null): string =>
  v === null ? '?' : `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0)}%`;
const ms = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined ? '—' : `${v.toFixed(digits)}ms`;

function describe(run: Run): string {
  if (!run.result) return `no results (exit ${run.exitCode}): ${run.failure}`;
  if (run.series.kind === 'suite')
    return run.result.scenarios.map((s) => `${s.name} ${s.outcome}`).join(', ');
  const scenario = loadTest(run);
  const failed = absoluteFailures(run);
  const warned = absoluteWarnings(run);
  const absolute =
    (failed.length ? `absolute FAILED: ${failed.join(', ')}` : 'absolute passed') +
    (warned.length ? ` (warned, base broke it too: ${warned.join(', ')})` : '');
  if (run.series.kind === 'alone') {
    const fault = scenario?.phases.find((p) => p.phase === 'fault');
    return `load-test ${scenario?.outcome ?? '?'}; fault p50 ${ms(fault?.p50Ms)} p95 ${ms(fault?.p95Ms)}; ${absolute}`;
  }
  const fault = faultComparison(run);
  if (!scenario?.comparison || !fault)
    return `load-test ${scenario?.outcome ?? '?'}, no comparison; ${absolute}`;
  const f = floors(run);
  const shift = fault.shift
    ? `shift ${ms(fault.shift.estimateMs)} [${ms(fault.shift.lowMs)}, ${ms(fault.shift.highMs)}]`
    : 'shift —';
  return (
    `load-test ${scenario.outcome}; fault ${fault.verdict} on ${judgedLatency(run) ?? '?'} (${fault.why}); ` +
    `p95 ${ms(fault.pr.p95Ms)} vs base ${ms(fault.base.p95Ms)}: ${pct(fault.p95.change)} ` +
    `[${fault.p95.low === null ? '−∞' : pct(fault.p95.low)}, ${fault.p95.high === null ? '+∞' : pct(fault.p95.high)}]; ` +
    `${shift}; floors p95 ${f.p95 === null ? '∞' : pct(f.p95)}, shift ${ms(f.shift)}; ${absolute}`
  );
}

/** Per scenario, the runs whose outcome is not that scenario's most common one. */
function flips(runs: Run[]): { flips: number; outcomes: Map<string, string[]> } {
  const outcomes = new Map<string, string[]>();
  for (const run of runs) {
    for (const s of run.result?.scenarios ?? [])
      outcomes.set(s.name, [...(outcomes.get(s.name) ?? []), s.outcome]);
    if (!run.result) outcomes.set('(no results)', [...(outcomes.get('(no results)') ?? []), 'error']);
  }
  let total = 0;
  for (const [name, list] of outcomes) {
    const padded = [...list, ...Array<string>(Math.max(0, runs.length - list.length)).fill('missing')];
    const counts = new Map<string, number>();
    for (const o of padded) counts.set(o, (counts.get(o) ?? 0) + 1);
    total += name === '(no results)' ? list.length : padded.length - Math.max(...counts.values());
  }
  return { flips: total, outcomes };
}

function median(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** One series' summary line: verdict counts, median floors, which check judged, absolute failures. */
function summary(spec: SeriesSpec, runs: Run[]): string {
  const failedAbsolute = runs.filter((r) => absoluteFailures(r).length > 0).length;
  const warnedAbsolute = runs.filter((r) => absoluteWarnings(r).length > 0).length;
  if (spec.kind === 'alone')
    return `${spec.name.padEnd(8)} ${spec.what}: runs=${runs.length} absolute-failed=${failedAbsolute} absolute-warned=${warnedAbsolute}`;
  const count = (verdict: string): number =>
    runs.filter((r) => faultComparison(r)?.verdict === verdict).length;
  const none = runs.filter((r) => !faultComparison(r)).length;
  const verdicts =
    spec.kind === 'A/A'
      ? `within=${count('within')} inconclusive=${count('inconclusive')} regressed=${count('regressed')}`
      : `regressed=${count('regressed')} inconclusive=${count('inconclusive')} within=${count('within')}`;
  const judged = new Map<string, number>();
  for (const r of runs) judged.set(judgedLatency(r) ?? '?', (judged.get(judgedLatency(r) ?? '?') ?? 0) + 1);
  const p95 = median(runs.map((r) => floors(r).p95));
  const shift = median(runs.map((r) => floors(r).shift));
  return (
    `${spec.name.padEnd(8)} ${spec.what}: runs=${runs.length} ${verdicts}${none ? ` no-comparison=${none}` : ''} ` +
    `median-floor p95=${p95 === null ? '∞' : pct(p95)} shift=${ms(shift)} ` +
    `judged-on ${[...judged].map(([k, v]) => `${k}×${v}`).join(' ')} absolute-failed=${failedAbsolute} absolute-warned=${warnedAbsolute}`
  );
}

async function main(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 1)
    throw new Error(`VERDICT_BENCH_RUNS=${RUNS} is not a positive integer`);
  const series = WANTED.map((name) => {
    const spec = ALL_SERIES.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown series ${name} (${ALL_SERIES.map((s) => s.name).join(', ')})`);
    return spec;
  });
  const runs: Run[] = [];
  if (REREAD) {
    // The results of an earlier (or unfinished) run, read back: `${series}-${round}/results.json`.
    for (let round = 1; round <= RUNS; round += 1)
      for (const spec of series) {
        const file = path.join(REREAD, `${spec.name}-${round}`, 'results.json');
        if (!existsSync(file)) continue;
        const result = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
        runs.push({
          name: `${spec.name}-${round}`,
          exitCode: 0,
          seconds: result.durationMs / 1000,
          result,
          failure: '',
          stdoutFile: null,
          series: spec,
          round,
        });
      }
    report(series, runs, REREAD);
    return;
  }
  const tree = FROM_HEAD ? snapshot() : ROOT;
  const work = mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
  log(
    `verdict bench: ${RUNS} round(s) of ${series.map((s) => s.name).join(', ')}; ${os.cpus().length} cores, ` +
      `load average ${loadAverage()}; tree ${tree}; results under ${work}`,
  );
  try {
    for (let round = 1; round <= RUNS; round += 1) {
      for (const spec of series) {
        const cli = await runCli(tree, work, `${spec.name}-${round}`, spec.args, spec.env);
        const run: Run = { ...cli, series: spec, round };
        runs.push(run);
        log(
          `${spec.name.padEnd(8)} ${round}/${RUNS} (${Math.round(run.seconds)}s, load ${loadAverage()}): ${describe(run)}`,
        );
      }
      // A summary after every round, so that a run cut short still says what it measured.
      for (const spec of series)
        if (spec.kind !== 'suite')
          log(
            `  after round ${round}: ${summary(
              spec,
              runs.filter((r) => r.series === spec),
            )}`,
          );
    }
  } finally {
    if (tree !== ROOT) rmSync(tree, { recursive: true, force: true });
  }
  report(series, runs, work);
}

/** Every run's line, the per-series summaries and the closing line. */
function report(series: SeriesSpec[], runs: Run[], work: string): void {
  console.log('SERIES   RUN  SECONDS  WHAT');
  for (const run of runs)
    console.log(
      `${run.series.name.padEnd(8)} ${String(run.round).padEnd(4)} ${String(Math.round(run.seconds)).padEnd(8)} ${describe(run)}`,
    );
  console.log('');
  const of = (kind: Kind): Run[] => runs.filter((r) => r.series.kind === kind);
  const suite = flips(of('suite'));
  for (const [name, list] of suite.outcomes) console.log(`default suite ${name}: ${list.join(' ')}`);
  for (const spec of series)
    if (spec.kind !== 'suite')
      console.log(
        summary(
          spec,
          runs.filter((r) => r.series === spec),
        ),
      );
  // A/A: a phase's comparison, or a regression threshold, says the unchanged code regressed.
  const falseRegressions = of('A/A').filter(
    (r) =>
      (loadTest(r)?.comparison?.phases.some((p) => p.verdict === 'regressed') ?? false) ||
      (loadTest(r)?.thresholds.some((t) => isRegression(t) && t.passed === false) ?? false),
  ).length;
  // A/B: the fault phase regressed on the checks it is judged on, every absolute threshold passing.
  const ab = of('A/B');
  const found = ab.filter(
    (r) => faultComparison(r)?.verdict === 'regressed' && absoluteFailures(r).length === 0,
  ).length;
  console.log(
    `verdict-bench: runs=${Math.max(0, ...runs.map((r) => r.round))} flips=${suite.flips} aa-false-regressions=${falseRegressions} ab-detected=${found}/${ab.length}`,
  );
  console.log(`verdict-bench: results under ${work}; load average ${loadAverage()}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`verdict-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
