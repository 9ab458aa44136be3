// "Did you mean" suggestions for unknown keys, metrics, roles and names (Levenshtein distance).

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost));
    }
    prev = row;
  }
  return prev[b.length];
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
