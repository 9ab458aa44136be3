// "Did you mean" suggestions for unknown keys, metrics, roles and names (Levenshtein distance).

/** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

const normalise = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');

/**
 * The closest candidate to `word`, or null when nothing is close enough. Spelling variants
 * (maxLatency / max_latency / max-latency) match first; otherwise the distance must be at most
 * a third of the word's length (at least 1, at most 3). Ties go to the earlier candidate.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  const norm = normalise(word);
  const variant = candidates.find((c) => normalise(c) === norm);
  if (variant !== undefined) return variant;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : null;
}

/** ` (did you mean "x"?)` or ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const hit = closest(word, candidates);
  return hit === null ? '' : ` (did you mean "${hit}"?)`;
}
