// YAML loading that keeps line numbers: a parsed document plus the means to map a field path
// (['thresholds', 1]) back to the line it was written on, and zod issues to ConfigErrors.
import {
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
} from 'yaml';
import type { z } from 'zod';
import { ConfigError, formatPath, type ConfigIssue } from './errors';
import { didYouMean } from './suggest';

export interface YamlSource {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The document as plain data (maps → objects, sequences → arrays). */
  data: unknown;
}

/** Parses YAML text; syntax errors become a ConfigError with the file and line. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        const kind = error.code === 'DUPLICATE_KEY' ? 'YAML error' : 'YAML syntax error';
        return { file, line: error.linePos?.[0].line ?? null, field: '', message: `${kind}: ${message}` };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // An alias bomb (aliases of aliases, each expanding the last) is refused as this file's
    // error, at its first alias, so the other files' errors are still reported beside it.
    if (!(error instanceof ReferenceError)) throw error;
    throw ConfigError.single(
      file,
      firstAliasLine(doc, lineCounter),
      '',
      `YAML error: its aliases expand to too many copies (an alias bomb?); at most ${MAX_ALIAS_COUNT} are allowed`,
    );
  }
  return { file, doc, lineCounter, data };
}

/** How many copies aliases may make of what they name: enough for reuse, far from a bomb. */
const MAX_ALIAS_COUNT = 100;

function firstAliasLine(doc: Document, lineCounter: LineCounter): number | null {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset === undefined ? null : lineCounter.linePos(offset).line;
}

function lineAt(src: YamlSource, offset: number | undefined): number | null {
  return offset === undefined ? null : src.lineCounter.linePos(offset).line;
}

/** The node at a path, or the deepest ancestor that exists, with how many path steps matched. */
function walk(
  src: YamlSource,
  path: readonly PropertyKey[],
): { node: unknown; keyNode: unknown; depth: number } {
  let node: unknown = src.doc.contents;
  let keyNode: unknown = null;
  let depth = 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      keyNode = null;
      node = node.items[key];
    } else break;
    depth++;
  }
  return { node, keyNode, depth };
}

/** The line of the value at `path`; for a missing field, the line of the nearest ancestor. */
export function lineOf(src: YamlSource, path: readonly PropertyKey[]): number | null {
  const { node } = walk(src, path);
  return isNode(node) ? lineAt(src, node.range?.[0]) : 1;
}

/** The line of the key at the end of `path` (for unknown keys), else of the value. */
export function keyLineOf(src: YamlSource, path: readonly PropertyKey[]): number | null {
  const { keyNode, node, depth } = walk(src, path);
  if (depth === path.length && isNode(keyNode)) return lineAt(src, keyNode.range?.[0]);
  return isNode(node) ? lineAt(src, node.range?.[0]) : 1;
}

const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  return typeof value;
}

/** Plain words for one zod issue (our own custom messages pass through unchanged). */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return 'is required';
      const expected =
        issue.expected === 'object' ? 'map' : issue.expected === 'array' ? 'list' : issue.expected;
      return `expected ${article(String(expected))}, got ${article(typeName(input))}`;
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const hint = typeof input === 'string' ? didYouMean(input, options) : '';
      return `${JSON.stringify(input)} is not one of ${options.map((v) => JSON.stringify(v)).join(', ')}${hint}`;
    }
    case 'too_big':
      if (!issue.message.startsWith('Too big')) return issue.message;
      return issue.origin === 'array'
        ? `has more than ${issue.maximum} items`
        : `must be at most ${issue.maximum}`;
    case 'too_small':
      if (!issue.message.startsWith('Too small')) return issue.message;
      return issue.origin === 'array'
        ? `needs at least ${issue.minimum} item(s)`
        : `must be at least ${issue.minimum}`;
    case 'invalid_key':
      return issue.issues.map((i) => i.message).join('; ');
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return issue.message.startsWith('Invalid input')
        ? `${JSON.stringify(input)} is not valid here`
        : issue.message;
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** zod issues as ConfigIssues with lines, sorted by line; `prefix` is prepended to every path. */
export function zodIssues(
  src: YamlSource,
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  prefix: readonly PropertyKey[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const params = (issue as { params?: { key?: boolean } }).params;
    const line = params?.key || issue.code === 'invalid_key' ? keyLineOf(src, path) : lineOf(src, path);
    out.push({
      file: src.file,
      line,
      field: formatPath(path),
      message: issueMessage(issue, valueAt(data, issue.path)),
    });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
