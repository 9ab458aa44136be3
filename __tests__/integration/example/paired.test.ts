// Paired runs on the real example: load-test on the PR's stack and on a base stack (its own
// compose project) at the same time, through the engine. A/A (the example against itself)
// reports no regression; A/B (the benchmark's slower variant, which awaits each request's
// telemetry export from a collector that answers after 10 ms, against the example) is reported
// regressed on p95 with an interval that excludes 0, while no absolute threshold is violated. The two runs go one after the other
// (four stacks at once would be a different experiment on 2 cores).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRunConfigFile } from '../../../src/config/run-config';
import type { PhaseComparison, RunResult } from '../../../src/results';
import { renderReport } from '../../../src/report/markdown';
import { renderTerminalTable } from '../../../src/report/terminal';
import { prepareRun, runChaos } from '../../../src/scenario/engine';
import { NOTHING_LEFT, projectLeftovers } from '../../helpers/leftovers';

const root = path.join(__dirname, '../../..');
const CONFIG = path.join(root, 'examples/fraud-api/chaos-action.yml');
const EXAMPLE = path.join(root, 'examples/fraud-api/docker-compose.yml');
const SLOWER = path.join(root, 'benchmarks/verdicts/docker-compose.slower.yml');
jest.setTimeout(240_000);

async function pairedLoadTest(composeFiles: string[], baseCompose: string[]): Promise<RunResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-paired-'));
  const config = loadRunConfigFile(
    CONFIG,
    {
      'compose-files': composeFiles,
      'base-compose': baseCompose,
      scenarios: ['load-test'],
      // warm-up 5 s, baseline 10 s, 30 s of measured load, after 5 s. At 15 s the A/B fault phase
      // read +92 % [+12 %, +229 %] on an idle machine: a doubling, but an interval too wide to
      // clear the +20 % limit; twice the seconds narrow it by about √2.
      params: 'duration=30s',
      'results-dir': dir,
      'journal-path': path.join(dir, 'journal.json'),
    },
    'flag',
  );
  const prepared = await prepareRun(config);
  const lines: string[] = [];
  const result = await runChaos(
    config,
    prepared,
    { log: (line) => lines.push(line) },
    { commit: null, runUrl: null },
  );
  if (!result.scenarios[0]?.comparison) throw new Error(`no comparison:\n${lines.join('\n')}`);
  return result;
}

/** The phases both sides measured. */
const measured = (phases: PhaseComparison[]): PhaseComparison[] =>
  phases.filter((p) => p.pr.scheduled > 0 && p.base.scheduled > 0);

describe('paired load-test on the example', () => {
  let aa: RunResult;
  let ab: RunResult;

  beforeAll(async () => {
    aa = await pairedLoadTest([EXAMPLE], [EXAMPLE]);
    // The collector of the slower side answers each export after 10 ms: about +12 ms at p95 on
    // this machine (6.5 → 22.6 ms, +250 % [+192 %, +321 %] in a 30 s fault phase when measured),
    // far enough past the +20 % limit for the whole interval to clear it in every run. The
    // benchmark's default 5 ms (a doubling) needs a 60 s phase for that (benchmarks/verdicts).
    process.env.SLOWER_EXPORT_DELAY_MS = '10';
    try {
      ab = await pairedLoadTest([EXAMPLE, SLOWER], [EXAMPLE]);
    } finally {
      delete process.env.SLOWER_EXPORT_DELAY_MS;
    }
  });

  afterAll(async () => {
    for (const run of [aa, ab]) {
      if (!run) continue;
      expect(await projectLeftovers(run.project)).toEqual(NOTHING_LEFT);
      expect(await projectLeftovers(`${run.project}-base`)).toEqual(NOTHING_LEFT);
    }
  });

  it('A/A: the example against itself reports no regression', () => {
    const scenario = aa.scenarios[0];
    const comparison = scenario.comparison!;
    expect(comparison).toMatchObject({
      mode: 'concurrent',
      confidence: 0.95,
      base: { project: `${aa.project}-base` },
    });
    const phases = measured(comparison.phases);
    expect(phases.map((p) => p.phase)).toContain('baseline');
    for (const p of phases) {
      expect({ phase: p.phase, verdict: p.verdict, why: p.why }).not.toMatchObject({ verdict: 'regressed' });
      expect(p.pr.scheduled).toBeGreaterThan(300);
      expect(p.base.scheduled).toBeGreaterThan(300);
    }
    // The 10 s baseline and 30 s fault phases are long enough to be judged; the 5 s after is not.
    for (const p of phases.filter((q) => q.phase === 'baseline' || q.phase === 'fault'))
      expect({ phase: p.phase, change: p.p95.change === null ? null : 'measured' }).toEqual({
        phase: p.phase,
        change: 'measured',
      });
    expect(scenario.thresholds.filter((t) => t.passed === false)).toEqual([]);
  });

  it('A/B: the slower variant is regressed on p95, its interval wholly above the limit, with no absolute threshold violated', () => {
    const scenario = ab.scenarios[0];
    const comparison = scenario.comparison!;
    const phases = measured(comparison.phases);
    const fault = phases.find((p) => p.phase === 'fault')!;
    const shown = {
      verdict: fault.verdict,
      p95: fault.p95,
      shiftAboveZero: fault.shift !== null && fault.shift.lowMs > 0,
      why: fault.why,
    };
    expect(shown).toMatchObject({ verdict: 'regressed', shiftAboveZero: true });
    expect(fault.p95.low).toBeGreaterThan(comparison.limits.p95);
    expect(fault.why).toMatch(
      /^fault (p95|p99) \+\d+ % \[\+\d+ %, \+\d+ %\]: the whole interval is beyond \+20 %/,
    );
    expect(phases.filter((p) => p.verdict === 'within')).toEqual([]);
    expect(scenario.thresholds.filter((t) => t.passed === false)).toEqual([]);
    // What people see: the VS BASE column and the side-by-side section with both lines.
    expect(renderTerminalTable(ab)).toMatch(
      /VS BASE[\s\S]*regressed: \w+ (p95|p99|errors) [+−][\d.]+ (%|pp) \[[^\]]+\]/,
    );
    const report = renderReport(ab);
    expect(report).toContain('**PR vs base**');
    // Each comparison with this run's own noise floor beside it.
    expect(report).toMatch(
      /\| ⚡ fault \|[^\n]*\| ±[\d.]+% \/ (±[\d.]+%|—) \/ ±[\d.]+ pp \| 🔺 regressed \|/,
    );
    expect(report).toMatch(
      /p95 ms[^"]*: PR \(line 1\) vs base \(line 2\)[\s\S]*line \[[^\]]+\]\n {2}line \[/,
    );
  });
});
