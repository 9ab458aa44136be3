// Durations have upper bounds: 24h for anything in a scenario (before and after --scale), and
// nothing over 2^31 ms anywhere, which Node's timers would turn into 1 ms (a skipped phase).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_TIMER_MS, parseDuration } from '../../../src/config/duration';
import { MAX_DURATION_MS, parseDurationValue } from '../../../src/config/units';
import { parseScenarioText } from '../../../src/config/load-scenarios';
import { ConfigError } from '../../../src/config/errors';

describe('duration bounds', () => {
  it("refuses the issue's 99999999999999999999999h and a 600h phase, and keeps 24h", () => {
    expect(() => parseDurationValue('99999999999999999999999h')).toThrow(
      '"99999999999999999999999h" is longer than 24h, the longest a scenario duration may be',
    );
    expect(() => parseDurationValue('600h')).toThrow('"600h" is longer than 24h');
    expect(() => parseDurationValue('24h1ms')).toThrow(/longer than 24h/);
    expect(parseDurationValue('24h')).toBe(MAX_DURATION_MS);
    expect(() => parseDurationValue(MAX_DURATION_MS + 1, 'ms')).toThrow(/longer than 24h/);
  });

  it('refuses anything a timer cannot wait for, wherever a duration is read', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    expect(parseDuration(MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    for (const value of [2 ** 31, '2147483648', '600h', '597h']) {
      expect(() => parseDuration(value, 'duration')).toThrow(/longer than 24 days/);
    }
  });

  it('refuses a phase that --scale makes longer than 24h, naming the file, line and phase', () => {
    const file = path.join(__dirname, '../../../scenarios/redis-failure.yml');
    const text = readFileSync(file, 'utf8');
    let error: unknown;
    try {
      parseScenarioText(text, file, { scale: 100_000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0];
    expect(issue.file).toBe(file);
    expect(issue.line).toBeGreaterThan(0);
    expect(issue.field).toMatch(/^phases\.(warmup|baseline|fault|recovery|after)$/);
    expect(issue.message).toMatch(/at scale 100000 is longer than 24h, the longest a phase may be$/);
  });
});
