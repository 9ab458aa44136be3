// `chaos-action calibrate` in-process: its usage and bad input (no Docker involved), and the
// calibration table rendered from comparisons made by the real comparePhase.
import { binsOf, comparePhase, type PhaseSample } from '../../../src/compare';
import { calibrate } from '../../../src/compare/noise-floor';
import {
  calibrateCommand,
  renderCalibrationMarkdown,
  renderCalibrationTable,
} from '../../../src/cli/calibrate-command';
import type { ScenarioResult } from '../../../src/results';
import { buildScenario } from '../../helpers/sample-results';

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await calibrateCommand(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('chaos-action calibrate: arguments', () => {
  it('prints its usage, with what the floor is', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage: chaos-action calibrate');
    expect(r.out).toContain('floor: max(the minimal detectable effect at 95 % confidence');
  });

  it('exits 2 on bad input, naming it', async () => {
    const unknown = await run(['--compose-file', 'a.yml', '--base-compose-file', 'b.yml']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(
      'chaos-action calibrate: unknown flag --base-compose-file (it is a flag of run)',
    );
    const power = await run(['--compose-file', 'a.yml', '--power', '2']);
    expect(power.code).toBe(2);
    expect(power.err).toContain(
      'chaos-action calibrate: --power: "2" is not a power (a number between 0.5 and 1, e.g. 0.8)',
    );
    const scale = await run(['--compose-file', 'a.yml', '--scale', 'x']);
    expect(scale.code).toBe(2);
    expect(scale.err).toContain('chaos-action calibrate: flag scale: "x" is not a scale factor');
  });
});

/** A seeded log-normal sample (integer µs). */
function sample(seed: number, n: number, medianUs: number): number[] {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.round(medianUs * Math.exp(0.5 * z));
  });
}

function aaScenario(): ScenarioResult {
  const scenario = buildScenario({
    name: 'load-test',
    rate: 100,
    phaseSeconds: { warmup: 0, baseline: 10, fault: 30, recovery: 0, after: 0 },
  });
  const phases = scenario.phases.map((stats, i) => {
    const side = (seed: number): PhaseSample => ({
      stats: { ...stats, errorRate: 0 },
      bins: binsOf(sample(seed, stats.scheduled, 3000)),
    });
    return comparePhase(stats.phase, side(2 * i + 1), side(2 * i + 2));
  });
  return {
    ...scenario,
    comparison: {
      base: { project: 'p-base', composeFiles: ['a.yml'], outcome: 'pass', reason: '' },
      mode: 'concurrent',
      confidence: 0.95,
      limits: { p95: 0.2, p99: 0.2, errorRate: 0.01 },
      phases,
    },
  };
}

describe('chaos-action calibrate: the table', () => {
  const scenario = aaScenario();
  const calibration = calibrate({ scenarios: [scenario] });

  it('states the floor next to every A/A comparison, and the phase length a limit needs', () => {
    const table = renderCalibrationTable(calibration, [scenario]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /^SCENARIO +PHASE +METRIC +A\/A CHANGE \[95% interval\] +FLOOR +LIMIT +LIMIT VS FLOOR$/,
    );
    const fault95 = lines.find((l) => /^load-test +fault +p95 /.test(l)) ?? '';
    expect(fault95).toMatch(/ [+−±][\d.]+ % \[[−+±][\d.]+ %, [+−±][\d.]+ %\] +[\d.]+% +20% +ok$/);
    const baseline99 = lines.find((l) => /^load-test +baseline +p99 /.test(l)) ?? '';
    expect(baseline99).toMatch(/below floor: \d+s phase$/);
    expect(table).toMatch(
      /load-test baseline: the p99 limit is below the floor; run the baseline phase for about \d+s \(now 10s\) at the same rate, or raise the limit/,
    );
    // Two phases × p95, p99, error rate and the p50 shift (in ms, against the default 0.5 ms).
    expect(lines.filter((l) => l.startsWith('load-test  '))).toHaveLength(8);
    const faultShift = lines.find((l) => /^load-test +fault +p50 shift /.test(l)) ?? '';
    expect(faultShift).toMatch(/ ms\] +[\d.]+ ms +0\.5 ms +ok$/);
  });

  it('renders the same rows as markdown for the report', () => {
    const md = renderCalibrationMarkdown(calibration, [scenario]);
    expect(md).toContain('## Calibration: the noise floor (A/A)');
    expect(md.split('\n').filter((l) => l.startsWith('| load-test |'))).toHaveLength(8);
    expect(md).toContain('- load-test baseline: the p99 limit is below the floor');
  });

  it('lists unmeasured phases once, and says when the unchanged pair differed beyond its interval', () => {
    const s = aaScenario();
    const comparison = s.comparison!;
    const fault = s.phases.find((p) => p.phase === 'fault')!;
    const shifted = comparePhase(
      'fault',
      { stats: { ...fault, errorRate: 0 }, bins: binsOf(sample(21, fault.scheduled, 4500)) },
      { stats: { ...fault, errorRate: 0 }, bins: binsOf(sample(22, fault.scheduled, 3000)) },
    );
    const odd: ScenarioResult = {
      ...s,
      comparison: {
        ...comparison,
        phases: [
          ...comparison.phases.filter((p) => p.phase !== 'fault'),
          shifted,
          comparePhase('recovery', null, null),
        ],
      },
    };
    const table = renderCalibrationTable(calibrate({ scenarios: [odd] }), [odd]);
    expect(table).not.toMatch(/^load-test +recovery/m);
    expect(table).toContain('load-test: no requests on either side in recovery: no floor there');
    expect(table).toMatch(
      /load-test fault p95: the A\/A interval \+\d+ % \[\+\d+ %, \+\d+ %\] excludes 0: the two stacks differed beyond sampling noise/,
    );
  });

  it('says when nothing could be measured', () => {
    const none = calibrate({ scenarios: [buildScenario()] });
    expect(renderCalibrationTable(none, [])).toContain(
      'No floor could be measured (no paired comparison had samples on both sides).',
    );
  });
});
