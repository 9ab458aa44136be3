import {
  appliesToFlow,
  bandwidthSlices,
  expectedRoundTripDelayMs,
  latencyMs,
  releaseAtMs,
  rollToxicity,
  transmitMs,
} from '../../../src/faults/network/toxics';

test('a toxic applies to its own direction, or to both', () => {
  expect(appliesToFlow('downstream', 'downstream')).toBe(true);
  expect(appliesToFlow('downstream', 'upstream')).toBe(false);
  expect(appliesToFlow('both', 'upstream')).toBe(true);
});

test('toxicity: 1 always, 0 never, otherwise the roll decides', () => {
  expect(rollToxicity(1, 0.999)).toBe(true);
  expect(rollToxicity(0, 0)).toBe(false);
  expect(rollToxicity(0.3, 0.29)).toBe(true);
  expect(rollToxicity(0.3, 0.3)).toBe(false);
});

test('latency is delay ± jitter, never negative', () => {
  expect(latencyMs(100, 0, 0.7)).toBe(100);
  expect(latencyMs(100, 20, 0)).toBe(80);
  expect(latencyMs(100, 20, 0.5)).toBe(100);
  expect(latencyMs(100, 20, 0.9999)).toBeCloseTo(120, 2);
  expect(latencyMs(10, 50, 0)).toBe(0);
});

test('latency is pipelined from arrival and never reorders chunks', () => {
  expect(releaseAtMs(1000, 100, 0)).toBe(1100);
  // A chunk arriving 10ms later leaves 10ms later, not 100ms after the first left.
  expect(releaseAtMs(1010, 100, 1100)).toBe(1110);
  // With jitter a later chunk may draw a shorter delay; it waits for the one before it.
  expect(releaseAtMs(1010, 50, 1100)).toBe(1100);
});

test('bandwidth: transmit time and 1/20 s slices', () => {
  expect(transmitMs(1000, 1000)).toBe(1000);
  expect(transmitMs(1, 0)).toBe(Infinity);
  expect(bandwidthSlices(125, 1000)).toEqual([50, 50, 25]);
  expect(bandwidthSlices(3, 10)).toEqual([1, 1, 1]);
  expect(bandwidthSlices(0, 1000)).toEqual([]);
});

test('expected round-trip delay counts one leg per direction, less the jitter', () => {
  expect(expectedRoundTripDelayMs({ delayMs: 100, jitterMs: 0 }, 'downstream')).toBe(100);
  expect(expectedRoundTripDelayMs({ delayMs: 100, jitterMs: 10 }, 'both')).toBe(180);
});
