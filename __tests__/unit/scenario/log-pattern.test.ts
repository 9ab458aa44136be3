// Log regexes run on text the stack writes: matched by RE2 in linear time, compiled once,
// each line matched once per pattern, and what RE2 cannot do refused at validation.
import { RE2JS } from 're2js';
import { compileLogPattern } from '../../../src/scenario/log-pattern';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { emptyObservations } from '../../../src/scenario/observations';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import { scenarioMs } from '../../../src/util/clock';

const where = { file: 's.yml', line: 7 };
/** The line: JavaScript's engine backtracks for seconds on it with /(a+)+$/. */
const EVIL_LINE = `${'a'.repeat(28)}!`;

function observationsWith(lines: string[]) {
  const obs = emptyObservations();
  obs.services = { api: 'fraud-api' };
  obs.endMs = scenarioMs(60_000);
  obs.logCoverage = {
    'fraud-api': { fromMs: scenarioMs(0), toMs: scenarioMs(60_000), truncatedBeforeMs: null },
  };
  obs.logs = { 'fraud-api': lines.map((line, i) => ({ atMs: scenarioMs(1000 + i), line })) };
  return obs;
}

describe('log patterns', () => {
  it("matches /(a+)+$/ against 28 a's and a ! in linear time, through the verdict", () => {
    const threshold = parseThreshold('log api matches /(a+)+$/', where);
    const lines = Array.from({ length: 200 }, (_, i) => `${EVIL_LINE}${i}`);
    const started = performance.now();
    const [result] = evaluateThresholds([threshold], observationsWith(lines));
    const elapsed = performance.now() - started;
    expect(result.passed).toBe(false);
    expect(result.actual).toBe('no matching line');
    // JavaScript's RegExp takes about 2.4 s on ONE such line; RE2 takes well under a millisecond.
    expect(elapsed).toBeLessThan(250);
  });

  it('still finds what it should (flags, groups, JavaScript escapes)', () => {
    expect(compileLogPattern('cache MISS', 'i').test('INFO Cache miss: key')).toBe(true);
    expect(compileLogPattern('^b', 'm').test('a\nb')).toBe(true);
    expect(compileLogPattern('a.b', 's').test('a\nb')).toBe(true);
    expect(compileLogPattern('caf\\u00e9').test('un café')).toBe(true);
    expect(compileLogPattern('in (\\d+)ms').exec('retry in 250ms')?.[1]).toBe('250');
    expect(compileLogPattern('in (\\d+)ms').exec('retry soon')).toBeNull();
  });

  it('matches a line once per pattern, however many checks and reports ask', () => {
    const spy = jest.spyOn(RE2JS.prototype, 'test');
    try {
      const first = compileLogPattern('once-per-line (x+)+y');
      const again = compileLogPattern('once-per-line (x+)+y');
      expect(again).toBe(first);
      const line = `once-per-line ${'x'.repeat(40)}`;
      expect(first.test(line)).toBe(false);
      expect(again.test(line)).toBe(false);
      expect(first.exec(line)).toBeNull();
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses at validation what RE2 cannot match in linear time, and says why', () => {
    expect(() => parseThreshold('log api matches /Retrying(?= in)/', where)).toThrow(
      /invalid regex \/Retrying\(\?= in\)\/: invalid or unsupported Perl syntax: `\(\?=`: log patterns are matched by RE2/,
    );
    expect(() => parseThreshold('log api count(/(a)\\1/) < 3', where)).toThrow(/no backreferences/);
    // A plain typo keeps JavaScript's familiar message.
    expect(() => parseThreshold('log api matches /Redis (unreachable/', where)).toThrow(
      /invalid regex \/Redis \(unreachable\/: Unterminated group/,
    );
  });

  it('backoff still needs a capture group, counted by RE2', () => {
    expect(() => parseThreshold('log api backoff /retry in \\d+ms/', where)).toThrow(/needs a capture group/);
    expect(parseThreshold('log api backoff /retry in (\\d+)ms/', where).kind).toBe('log_backoff');
  });
});
