// The check run's pure parts: conclusion, annotations (at most 50), output within GitHub's limits.
import {
  checkAnnotations,
  checkConclusion,
  checkOutput,
  MAX_ANNOTATIONS,
  CHECK_OUTPUT_MAX,
} from '../../../src/report/check-run';
import { locateSource } from '../../../src/report/source-paths';
import {
  buildRun,
  buildScenario,
  buildThreshold,
  failingScenario,
  inconclusiveScenario,
  longLogs,
} from '../../helpers/sample-results';

const strict = { failOnViolation: true, failOnInconclusive: true };
const lenient = { failOnViolation: false, failOnInconclusive: false };
const warned = buildThreshold({
  passed: false,
  actual: '612ms',
  limit: '< 300ms',
  severity: 'warning',
  line: 21,
});

describe('checkConclusion', () => {
  it('maps pass, warnings, fail, inconclusive and error', () => {
    expect(checkConclusion(buildRun(), strict)).toBe('success');
    const withWarning = buildRun([
      buildScenario({}, { outcome: 'pass', thresholds: [buildThreshold(), warned] }),
    ]);
    expect(withWarning.outcome).toBe('pass');
    expect(checkConclusion(withWarning, strict)).toBe('neutral');
    const failing = buildRun([failingScenario()]);
    expect(checkConclusion(failing, strict)).toBe('failure');
    expect(checkConclusion(failing, lenient)).toBe('neutral');
    const inconclusive = buildRun([inconclusiveScenario()]);
    expect(checkConclusion(inconclusive, strict)).toBe('failure');
    expect(checkConclusion(inconclusive, lenient)).toBe('neutral');
    expect(checkConclusion(buildRun([], { outcome: 'error' }), lenient)).toBe('failure');
  });
});

describe('checkAnnotations', () => {
  const sources = {
    workspace: '/home/runner/work/shop/shop',
    actionRoot: '/home/runner/work/_actions/org/chaos-action/v1',
    serverUrl: 'https://github.com',
    repository: 'acme/shop',
    sha: 'c0ffee0000000000000000000000000000000042',
  };
  const place = (file: string) => locateSource(sources, file, null);

  it('gives one failure per violated threshold and one warning per violated warning, on the file line', () => {
    const run = buildRun([
      buildScenario(
        { name: 'cart' },
        {
          outcome: 'fail',
          thresholds: [
            buildThreshold({ file: '/home/runner/work/shop/shop/chaos/cart.yml', line: 9 }),
            buildThreshold({
              passed: false,
              actual: '2s',
              file: '/home/runner/work/shop/shop/chaos/cart.yml',
              line: 10,
            }),
            { ...warned, file: '/home/runner/work/_actions/org/chaos-action/v1/scenarios/redis-failure.yml' },
            buildThreshold({ passed: null, line: 12 }),
          ],
        },
      ),
    ]);
    expect(checkAnnotations(run, place)).toEqual([
      expect.objectContaining({
        path: 'chaos/cart.yml',
        start_line: 10,
        end_line: 10,
        annotation_level: 'failure',
      }),
      expect.objectContaining({
        path: 'scenarios/redis-failure.yml',
        start_line: 21,
        annotation_level: 'warning',
        title: 'chaos: cart broke a warning threshold',
      }),
    ]);
  });

  it('makes at most 50, the first violations in order; the text says how many more it lists', () => {
    const thresholds = Array.from({ length: 121 }, (_, i) => buildThreshold({ passed: false, line: i + 1 }));
    const run = buildRun([buildScenario({ name: 'many' }, { outcome: 'fail', thresholds })]);
    const annotations = checkAnnotations(run, (file) => ({ text: file, repoPath: 'chaos/many.yml' }));
    expect(MAX_ANNOTATIONS).toBe(50);
    expect(annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const locate = (file: string, line: number | null) => ({ text: `${file}:${line}`, url: null });
    expect(checkOutput(run, locate).text).toMatch(
      /^> \[!NOTE\]\n> 71 more violated threshold\(s\) than the 50 annotations a check run gets: they are in this list\./,
    );
  });
});

describe('checkOutput', () => {
  const locate = (file: string, line: number | null) => ({ text: `${file}:${line}`, url: null });

  it('titles the check with the verdict line and lists every threshold in the text', () => {
    const out = checkOutput(
      buildRun([buildScenario({}, { outcome: 'pass', thresholds: [buildThreshold(), warned] })], {
        violations: 0,
      }),
      locate,
    );
    expect(out.title).toMatch(/^✅ chaos gate passed/);
    expect(out.summary).toContain('### ✅ chaos gate passed');
    expect(out.text).toContain(
      '- ✓ <code>fault: p95 &lt; 500ms</code>: actual 120ms, limit &lt; 500ms — scenarios/redis-failure.yml:14',
    );
    expect(out.text).toContain(
      '- ⚠ <code>fault: p95 &lt; 500ms</code> (warning): actual 612ms, limit &lt; 300ms',
    );
  });

  it('fits summary and text under 65,535 characters by dropping detail, as the comment does', () => {
    const scenarios = Array.from({ length: 40 }, (_, i) =>
      buildScenario(
        { name: `s${i}` },
        {
          logMatches: longLogs(200, 400),
          thresholds: Array.from({ length: 60 }, (_, j) =>
            buildThreshold({ source: `fault: p95 < ${j}ms ${'x'.repeat(40)}`, passed: false }),
          ),
          outcome: 'fail',
        },
      ),
    );
    const out = checkOutput(buildRun(scenarios), locate);
    expect(out.summary.length).toBeLessThanOrEqual(CHECK_OUTPUT_MAX);
    expect(out.text.length).toBeLessThanOrEqual(CHECK_OUTPUT_MAX);
    expect(out.summary).toContain('Detail was left out');
    expect(out.text).toContain('The list was cut to fit');
  });
});
