// Log regexes (`log api matches /.../`, count(/.../), backoff /.../) run on text the stack
// writes, so they are matched by RE2 (re2js): time linear in the line's length, whatever the
// pattern. JavaScript's backtracking engine takes seconds on `/(a+)+$/` against 28 a's and a
// `!`, blocking the event loop that times the load. What RE2 cannot compile (lookaround,
// backreferences) is refused when the scenario is validated.
import { RE2JS } from 're2js';

export class LogPatternError extends Error {}

/** A compiled log pattern; `test` is remembered per line, so a line is matched once per pattern. */
export interface LogPattern {
  readonly source: string;
  /** Capturing groups in the pattern (backoff needs one for the delay). */
  readonly groupCount: number;
  test(line: string): boolean;
  /** The match and its groups, as RegExp.exec; null when the line does not match. */
  exec(line: string): (string | undefined)[] | null;
}

const FLAG_BITS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  // RE2 matches Unicode code points already.
  u: 0,
};

/** Lines remembered per pattern; the verdict and the report ask about the same lines. */
const MEMO_LIMIT = 50_000;
/** Distinct patterns kept compiled (a run has a few dozen at most). */
const CACHE_LIMIT = 256;
const cache = new Map<string, LogPattern>();

function compile(pattern: string, flags: string): LogPattern {
  let bits = 0;
  for (const flag of flags) {
    if (!(flag in FLAG_BITS))
      throw new LogPatternError(`regex flag "${flag}" is not supported (use i, m, s, u)`);
    bits |= FLAG_BITS[flag];
  }
  try {
    // Compiling a JavaScript RegExp runs nothing; it gives the familiar message for a typo.
    new RegExp(pattern, flags);
  } catch (error) {
    throw new LogPatternError((error as Error).message.split(': ').pop() ?? 'invalid');
  }
  let re: RE2JS;
  try {
    // JavaScript spellings RE2 lacks (\uXXXX, \cX) are translated; the syntax is otherwise RE2's.
    re = RE2JS.compile(RE2JS.translateRegExp(pattern), bits);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    throw new LogPatternError(
      `${reason}: log patterns are matched by RE2, in linear time, which has no lookaround and no backreferences`,
    );
  }
  const seen = new Map<string, boolean>();
  const test = (line: string): boolean => {
    const known = seen.get(line);
    if (known !== undefined) return known;
    const found = re.test(line);
    if (seen.size >= MEMO_LIMIT) seen.clear();
    seen.set(line, found);
    return found;
  };
  return {
    source: `/${pattern}/${flags}`,
    groupCount: re.groupCount(),
    test,
    exec: (line) => {
      if (!test(line)) return null;
      const match = re.exec(line) as (string | null | undefined)[] | null;
      return match ? match.map((group) => group ?? undefined) : null;
    },
  };
}

/**
 * The pattern compiled once per process; throws LogPatternError (a plain reason, no file) when
 * RE2 cannot compile it. The same pattern and flags give the same instance, and its memory.
 */
export function compileLogPattern(pattern: string, flags = ''): LogPattern {
  const key = `${flags}/${pattern}`;
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = compile(pattern, flags);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, compiled);
  }
  return compiled;
}
