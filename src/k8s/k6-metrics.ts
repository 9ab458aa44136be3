// The load's samples as k6-operator's runner pods send them to Prometheus (remote write), and
// how the judge turns them back into our per-phase figures. Pure.
//
// k6's own latency trend cannot be combined across pods (each pod's p95 is a p95 of its share,
// k6-docs#102). So the generated script also counts every request in a latency bucket — a k6
// Counter tagged with the bucket's index and the request's outcome — and the judge sums the
// buckets of every pod (k6-samples.ts): exact counts, percentiles within one bucket's width
// (2 %), whatever the number of pods.

/** `http_reqs` (k6's counter; tags expected_response and status): not read by the judge, which counts by its own outcome tag; alert rules may use it. */
export const K6_REQS = 'k6_http_reqs_total';
/** Our per-request latency bucket counter (the script's `chaos_req_duration_bucket`, tags `bucket` and `outcome`). */
export const K6_BUCKETS = 'k6_chaos_req_duration_bucket_total';
export const SCRIPT_COUNTER = 'chaos_req_duration_bucket';

/** Bucket i holds latencies in (FLOOR_MS·GROWTH^(i-1), FLOOR_MS·GROWTH^i]; bucket 0 everything ≤ FLOOR_MS. */
export const FLOOR_MS = 0.1;
export const GROWTH = 1.02;

export function bucketIndex(latencyMs: number): number {
  if (!(latencyMs > FLOOR_MS)) return 0;
  return Math.ceil(Math.log(latencyMs / FLOOR_MS) / Math.log(GROWTH) - 1e-9);
}

export function bucketUpperMs(index: number): number {
  return FLOOR_MS * GROWTH ** index;
}

/** The same function as JavaScript source, for the k6 script (it must agree with bucketIndex). */
export const BUCKET_INDEX_JS = `function bucketIndex(ms) {
  if (!(ms > ${FLOOR_MS})) return 0;
  return Math.ceil(Math.log(ms / ${FLOOR_MS}) / Math.log(${GROWTH}) - 1e-9);
}`;

/** Bucket index → requests counted in it. */
export type BucketCounts = Map<number, number>;

export interface LatencyFigures {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** The mean of the buckets' upper bounds (k6's exact sum is per pod and not kept here). */
  meanMs: number | null;
}

/** The smallest bucket bound at or below which a share q of the requests lie (as HDR reports a percentile). */
export function percentileMs(buckets: BucketCounts, q: number): number | null {
  const sorted = [...buckets.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [index, n] of sorted) {
    seen += n;
    if (seen >= rank) return bucketUpperMs(index);
  }
  return bucketUpperMs(sorted[sorted.length - 1][0]);
}

export function latencyFigures(buckets: BucketCounts): LatencyFigures {
  let count = 0;
  let sum = 0;
  let max: number | null = null;
  for (const [index, n] of buckets) {
    if (n <= 0) continue;
    count += n;
    sum += n * bucketUpperMs(index);
    max = Math.max(max ?? 0, bucketUpperMs(index));
  }
  return {
    count,
    p50Ms: percentileMs(buckets, 0.5),
    p90Ms: percentileMs(buckets, 0.9),
    p95Ms: percentileMs(buckets, 0.95),
    p99Ms: percentileMs(buckets, 0.99),
    maxMs: max,
    meanMs: count ? sum / count : null,
  };
}
