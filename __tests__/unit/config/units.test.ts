import {
  parseByteRate,
  parseDurationValue,
  parsePercent,
  parseRate,
  parseSize,
} from '../../../src/config/units';
import { closest, didYouMean, levenshtein } from '../../../src/config/suggest';

describe('units', () => {
  it('parses durations with units, and bare numbers only when told what they mean', () => {
    expect(parseDurationValue('100ms')).toBe(100);
    expect(parseDurationValue('2m30s')).toBe(150_000);
    expect(parseDurationValue(0)).toBe(0);
    expect(parseDurationValue('500', 'ms')).toBe(500);
    expect(() => parseDurationValue(30)).toThrow('30 needs a unit (write it like 30s or 30ms)');
    expect(() => parseDurationValue('-5s')).toThrow('"-5s" is negative; a duration must be ≥ 0');
    expect(() => parseDurationValue('5 sec')).toThrow(
      '"5 sec" is not a duration (write it like 500ms, 10s or 2m)',
    );
  });

  it('parses rates per second, minute and hour', () => {
    expect(parseRate('50/s')).toBe(50);
    expect(parseRate('3000/m')).toBe(50);
    expect(parseRate('3600/h')).toBe(1);
    expect(() => parseRate('0/s')).toThrow('"0/s" is not a rate > 0');
    expect(() => parseRate('50')).toThrow('is not a rate');
    expect(() => parseRate(50)).toThrow('50 needs a unit');
    expect(() => parseRate('50/d')).toThrow('"50/d" is not a rate (write it like 50/s or 3000/m)');
  });

  it('parses percentages and ratios', () => {
    expect(parsePercent('1%')).toBeCloseTo(0.01);
    expect(parsePercent('0.1%')).toBeCloseTo(0.001);
    expect(parsePercent(0.05)).toBe(0.05);
    expect(() => parsePercent('150%')).toThrow('"150%" is over 100%');
    expect(parsePercent('150%', false)).toBeCloseTo(1.5);
    expect(() => parsePercent('-1%')).toThrow('negative');
  });

  it('parses sizes in binary units', () => {
    expect(parseSize('10MB')).toBe(10 * 1024 * 1024);
    expect(parseSize('512KiB')).toBe(512 * 1024);
    expect(parseSize('1g')).toBe(1024 ** 3);
    expect(parseByteRate('1MB/s')).toBe(1024 * 1024);
    expect(() => parseSize('10 parsecs')).toThrow('is not a size');
  });

  it('suggests the closest word', () => {
    expect(levenshtein('phase', 'phases')).toBe(1);
    expect(closest('p96', ['p95', 'p99', 'p90'])).toBe('p95');
    expect(closest('maxLatency', ['max-latency'])).toBe('max-latency');
    expect(didYouMean('zzzzzz', ['fault'])).toBe('');
  });
});
