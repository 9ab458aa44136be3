import { formatDuration, parseDuration } from '../../../src/config/duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1.5s', 1500],
    ['2m30s', 150_000],
    ['1h', 3_600_000],
    ['250', 250],
    ['100us', 0.1],
    [' 10s ', 10_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '-5s', '10 seconds', '5x', 's', '1m-30s', '10s5'])(
    'rejects %j with the field named',
    (text) => {
      expect(() => parseDuration(text, 'phases.baseline')).toThrow(
        /^phases\.baseline: ".*" is not a duration/,
      );
    },
  );

  it('rejects negative numbers', () => {
    expect(() => parseDuration(-1, 'timeout')).toThrow('timeout: -1 is not a duration ≥ 0');
  });
});

describe('formatDuration', () => {
  it.each([
    [0.25, '250µs'],
    [4.25, '4.3ms'],
    [612, '612ms'],
    [0, '0s'],
    [5000, '5s'],
    [1234, '1.23s'],
    [12_345, '12.3s'],
    [125_000, '2m05s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
