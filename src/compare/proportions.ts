// Intervals for error rates: Wilson's score interval for one proportion, and Newcombe's
// hybrid score interval (Newcombe 1998, method 10) for the difference of two independent
// proportions. Both behave at 0 errors, where the Wald interval collapses to a point: an
// error rate of 0 in 3,000 requests still has an upper bound.

import { qnorm } from './normal';

export interface ProportionInterval {
  estimate: number;
  low: number;
  high: number;
}

/** Wilson's score interval for x successes in n trials (R: prop.test(x, n, correct = FALSE)$conf.int). */
export function wilson(x: number, n: number, confidence = 0.95): ProportionInterval {
  if (n <= 0) return { estimate: NaN, low: 0, high: 1 };
  const z = qnorm(1 - (1 - confidence) / 2);
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Newcombe's interval for p1 − p2 (x1 of n1 against x2 of n2), built from the two Wilson
 * intervals: d − √((p1 − l1)² + (u2 − p2)²), d + √((u1 − p1)² + (p2 − l2)²).
 */
export function newcombeDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  confidence = 0.95,
): ProportionInterval {
  const a = wilson(x1, n1, confidence);
  const b = wilson(x2, n2, confidence);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    low: d - Math.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2),
    high: d + Math.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2),
  };
}
