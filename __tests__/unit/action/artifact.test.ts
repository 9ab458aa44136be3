// A fork's results artifact read as untrusted data (issue 27, findings 1, 2 and 5): the strict
// shape, the bounds, the refusals naming file and field, and the verdict recomputed.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ArtifactError,
  MAX_RESULTS_BYTES,
  parseResults,
  readArtifactFile,
  RESULT_LIMITS,
} from '../../../src/action/artifact';
import type { RunResult } from '../../../src/results';
import { buildRun, buildScenario, buildThreshold } from '../../helpers/sample-results';

const copy = (run: RunResult): RunResult => JSON.parse(JSON.stringify(run)) as RunResult;
const parse = (run: unknown) => parseResults(JSON.stringify(run), 'results.json');

describe('the shape of results.json', () => {
  it('takes a run as the engine writes it', () => {
    const run = copy(buildRun([buildScenario(), buildScenario({ name: 'b' })]));
    // Only the count of violated warnings is added (recomputed, as every count).
    expect(parse(run)).toEqual({ ...run, warnings: 0 });
  });

  it.each([
    [
      'a phase that is not a phase',
      (r: RunResult) => ((r.scenarios[0].phases[0] as { phase: string }).phase = '<img src=x>'),
      'results.json: scenarios[0].phases[0].phase: expected one of "warmup", "baseline", "fault", "recovery", "after"',
    ],
    [
      'a count that is a string',
      (r: RunResult) => ((r.scenarios[0].phases[1] as { scheduled: unknown }).scheduled = '<b>1</b>'),
      'results.json: scenarios[0].phases[1].scheduled: expected number',
    ],
    [
      'a late count below zero',
      (r: RunResult) => (r.scenarios[0].phases[1].late = -3),
      'results.json: scenarios[0].phases[1].late: less than 0',
    ],
    [
      'a log line that is null (it threw while fitting the comment)',
      (r: RunResult) => ((r.scenarios[0].logMatches[0] as { line: unknown }).line = null),
      'results.json: scenarios[0].logMatches[0].line: expected string',
    ],
    [
      'an outcome that is not one',
      (r: RunResult) => ((r.scenarios[0] as { outcome: string }).outcome = 'passed'),
      'results.json: scenarios[0].outcome: expected one of "pass", "fail", "inconclusive", "error", "skipped"',
    ],
    [
      'a name longer than its bound',
      (r: RunResult) => (r.scenarios[0].name = 'x'.repeat(RESULT_LIMITS.nameChars + 1)),
      'results.json: scenarios[0].name: longer than 200 (the bound a report reads)',
    ],
    [
      'a timeline second that is not whole',
      (r: RunResult) => (r.scenarios[0].timeline[0].second = 1.5),
      'results.json: scenarios[0].timeline[0].second: expected int',
    ],
    [
      'an error kind with a key of its own making',
      (r: RunResult) => (r.scenarios[0].phases[2].errors = { '\n::add-mask::x': -1 }),
      'results.json: scenarios[0].phases[2].errors."\\n::add-mask::x": less than 0',
    ],
  ])('refuses %s, naming the file and the field', (_, mutate, message) => {
    const run = copy(
      buildRun([buildScenario({}, { logMatches: [{ service: 'api', line: 'x', atMs: null }] })]),
    );
    mutate(run);
    expect(() => parse(run)).toThrow(new ArtifactError(message));
  });

  it('drops fields it does not know: no renderer sees them', () => {
    const run = { ...copy(buildRun()), extra: '<img src=x>' };
    (run.scenarios[0] as unknown as Record<string, unknown>).html = '<script>';
    const parsed = parse(run) as unknown as Record<string, unknown>;
    expect(parsed.extra).toBeUndefined();
    expect((parsed.scenarios as Record<string, unknown>[])[0].html).toBeUndefined();
  });

  it('says a file is not JSON without quoting what it holds (JSON.parse would)', () => {
    expect(() => parseResults('{"a": GITHUB_TOKEN=ghs_secret}', 'results.json')).toThrow(
      /^results\.json: not JSON( \(at byte \d+\))?$/,
    );
  });
});

describe('the verdict of a results file is recomputed', () => {
  it('a "pass" beside a violated threshold is a fail, and the run fails', () => {
    const scenario = buildScenario({}, { outcome: 'pass', thresholds: [buildThreshold({ passed: false })] });
    const parsed = parse(buildRun([scenario], { outcome: 'pass', violations: 0 }));
    expect(parsed.scenarios[0].outcome).toBe('fail');
    expect(parsed.outcome).toBe('fail');
    expect(parsed.violations).toBe(1);
  });

  it('a "pass" with a threshold not evaluated, or none judged, is inconclusive; a skipped check does not count', () => {
    const open = buildScenario(
      { name: 'a' },
      { outcome: 'pass', thresholds: [buildThreshold({ passed: null })] },
    );
    const none = buildScenario({ name: 'b' }, { outcome: 'pass', thresholds: [] });
    const skippedCheck = buildScenario(
      { name: 'c' },
      {
        outcome: 'pass',
        thresholds: [
          buildThreshold(),
          buildThreshold({ passed: null, detail: 'skipped: no baseline results given' }),
        ],
      },
    );
    const parsed = parse(buildRun([open, none, skippedCheck], { outcome: 'pass' }));
    expect(parsed.scenarios.map((s) => s.outcome)).toEqual(['inconclusive', 'inconclusive', 'pass']);
    expect(parsed.outcome).toBe('inconclusive');
  });

  it('a violated warning decides nothing, and "skipped" with a violation is a fail', () => {
    const warned = buildScenario(
      { name: 'w' },
      {
        outcome: 'pass',
        thresholds: [buildThreshold(), buildThreshold({ passed: false, severity: 'warning' })],
      },
    );
    const skipped = buildScenario(
      { name: 's' },
      { outcome: 'skipped', thresholds: [buildThreshold({ passed: false })] },
    );
    const parsed = parse(buildRun([warned, skipped]));
    expect(parsed.scenarios.map((s) => s.outcome)).toEqual(['pass', 'fail']);
    expect({ warnings: parsed.warnings, skipped: parsed.skipped }).toEqual({ warnings: 1, skipped: 0 });
  });
});

describe('reading an artifact file', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'artifact-'));

  it('refuses a symlink (to /proc/self/environ, say) without reading through it', () => {
    const link = path.join(dir(), 'results.json');
    symlinkSync('/proc/self/environ', link);
    expect(() => readArtifactFile(link, MAX_RESULTS_BYTES)).toThrow(
      new ArtifactError(`${link}: a symlink; the artifact's files are read as they are`),
    );
  });

  it('refuses a file over its cap before reading it', () => {
    const file = path.join(dir(), 'results.json');
    writeFileSync(file, 'x'.repeat(1025));
    expect(() => readArtifactFile(file, 1024)).toThrow(
      new ArtifactError(`${file}: 1025 bytes, more than the 1024 a report reads`),
    );
    expect(readArtifactFile(file, 2048)).toHaveLength(1025);
  });
});
