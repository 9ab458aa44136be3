// The baseline results.json (--baseline, baseline-results), checked before anything starts:
// a file that is there but is not a results.json of schema 1 is a configuration error (exit 2,
// `file:line: field: message`), not a run that ends in errors minutes later. A missing file is
// not an error here: a first run has no nightly artifact yet, and the engine notes it.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, formatPath, type ConfigIssue } from '../config/errors';
import { issueMessage, parseYaml, zodIssues } from '../config/yaml-source';
import type { RunResult } from '../results';

const OUTCOMES = ['pass', 'fail', 'inconclusive', 'error', 'skipped'] as const;
const PHASES = ['warmup', 'baseline', 'fault', 'recovery', 'after'] as const;
const nullableNumber = z.number().nullable();

/**
 * What the report and the regression thresholds read from a baseline (src/results is the full
 * contract). Objects are loose: a field added to results.json later does not make an older or
 * newer file invalid, while a field we read must have the type we read it as.
 */
const phaseSchema = z.looseObject({
  phase: z.enum(PHASES),
  p50Ms: nullableNumber.optional(),
  p95Ms: nullableNumber,
  p99Ms: nullableNumber,
  errorRate: z.number(),
});

const scenarioSchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  outcome: z.enum(OUTCOMES),
  phases: z.array(phaseSchema),
  thresholds: z.array(z.looseObject({ source: z.string(), passed: z.boolean().nullable() })).optional(),
  recoveryTimeMs: nullableNumber,
});

export const baselineResultsSchema = z.looseObject({
  schemaVersion: z.literal(1),
  startedAt: z.string(),
  commit: z.string().nullable(),
  runUrl: z.string().nullable().optional(),
  scenarios: z.array(scenarioSchema),
});

/** Where JSON.parse would fail, found by a small scanner (V8's message may quote the file). */
export function locateJsonError(text: string): { offset: number; message: string } {
  let i = 0;
  const fail = (message: string): never => {
    throw Object.assign(new Error(message), { offset: i });
  };
  const describe = (): string => {
    if (i >= text.length) return 'the end of the file';
    const ch = text[i];
    return /^[\x21-\x7e]$/.test(ch)
      ? `'${ch}'`
      : `character U+${ch.codePointAt(0)?.toString(16).padStart(4, '0')}`;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (ch: string, what: string): void => {
    if (text[i] !== ch) fail(`expected ${what}, found ${describe()}`);
    i++;
  };
  const string = (): void => {
    expect('"', 'a string');
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const ch = text[i];
      if (ch === '"') return void i++;
      if (ch === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape in a string');
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
        else fail('bad escape in a string');
      } else if (ch < ' ') fail(`${describe()} inside a string`);
      else i++;
    }
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail(`expected a number, found ${describe()}`);
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 1000) fail('nested too deeply');
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        expect(':', "':' after a property name");
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else return expect('}', "',' or '}' after a property value");
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else return expect(']', "',' or ']' after an array element");
      }
    }
    if (ch === '"') return string();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    fail(`unexpected ${describe()}`);
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the JSON value`);
  } catch (error) {
    return { offset: (error as { offset: number }).offset, message: (error as Error).message };
  }
  return { offset: 0, message: 'not valid JSON' };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Schema issues with the line of each field when the file can be mapped (JSON is YAML). */
function schemaIssues(
  file: string,
  text: string,
  data: unknown,
  issues: readonly z.core.$ZodIssue[],
): ConfigIssue[] {
  try {
    return zodIssues(parseYaml(text, file), issues, data);
  } catch {
    return issues.map((issue) => ({
      file,
      line: null,
      field: formatPath(issue.path),
      message: issueMessage(issue, undefined),
    }));
  }
}

/**
 * The baseline run, validated; null when the file does not exist (the engine notes that).
 * Throws a ConfigError naming the file (and line, field) when it is there but unusable.
 */
export function readBaselineFile(file: string): RunResult | null {
  if (!existsSync(file)) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw ConfigError.single(file, null, '', `cannot read the baseline results: ${code}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const { offset, message } = locateJsonError(text);
    const { line, column } = lineColumn(text, offset);
    throw ConfigError.single(file, line, '', `not JSON: ${message} (line ${line}, column ${column})`);
  }
  const result = baselineResultsSchema.safeParse(data);
  if (!result.success) {
    throw new ConfigError(schemaIssues(file, text, data, result.error.issues));
  }
  return data as RunResult;
}
