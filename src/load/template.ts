// A request with `{{name}}` placeholders in its path, header values or body, turned once into
// what a send needs: the bytes themselves when nothing varies; every variant's bytes, encoded
// ahead of sending, when the values come from few enough choices (a pick, a CSV column, a small
// range); otherwise the request's fixed text in pieces, so a send only formats its values and
// joins them. Placeholders take their value's form where they stand: URL-encoded in the path,
// as they are in a header or a raw body, as a JSON value (number stays number) when a JSON
// string is nothing but the placeholder, and escaped inside a longer JSON string.
import type { Scalar, ValueSource } from './values';

/** More variants than this are formatted at each send instead of encoded ahead. */
export const MAX_VARIANTS = 4096;
/** Nor are they encoded ahead when all of them would take more than this many bytes. */
const MAX_VARIANT_BYTES = 8 * 1024 * 1024;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;

type Format = (value: Scalar) => string;

interface Slot {
  /** Index into the request's value sources. */
  source: number;
  format: Format;
}
type Part = string | Slot;

export class TemplateError extends Error {}

/** The names a text's placeholders use, in order of appearance. */
export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1]);
}

export interface RequestTemplate {
  method: string;
  /** `host:port` for the host header. */
  host: string;
  /** Path and query, placeholders allowed. */
  path: string;
  headers: Record<string, string>;
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | null;
  /** The value sources by name, in the order their values are drawn. */
  values: Record<string, ValueSource>;
}

export interface CompiledRequest {
  /** The bytes of every send when nothing in the request varies; else null. */
  readonly fixed: Buffer | null;
  /** How many variants were encoded ahead (0: none, each send formats its values). */
  readonly variants: number;
  /**
   * The request's n-th send: its bytes, or, when formatted at the send, its text, which is
   * ASCII up to the body and UTF-8 after it, as a socket writes a string. A string is handed to
   * the socket as it is: a Buffer made for each send would cost more than the formatting.
   */
  bytes(n: number): Buffer | string;
}

// A number needs no escaping in a URL, and numbers are what sequences and ranges draw.
const asPath: Format = (value) =>
  typeof value === 'number' ? String(value) : encodeURIComponent(String(value));
const asText: Format = (value) => String(value);
const asJsonValue: Format = (value) => JSON.stringify(value);
const asJsonStringPart: Format = (value) => JSON.stringify(String(value)).slice(1, -1);

/** Splits a text into fixed pieces and slots; `static` formats the fixed pieces (JSON escaping). */
function parts(
  text: string,
  names: string[],
  format: Format,
  used: Set<string>,
  fixed: (piece: string) => string = (piece) => piece,
): Part[] {
  const out: Part[] = [];
  let at = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = names.indexOf(match[1]);
    if (index < 0)
      throw new TemplateError(
        `{{${match[1]}}} names no value (${names.length ? `values: ${names.join(', ')}` : 'the request has no values:'})`,
      );
    used.add(match[1]);
    if (match.index > at) out.push(fixed(text.slice(at, match.index)));
    out.push({ source: index, format });
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(fixed(text.slice(at)));
  return out;
}

/** A JSON document as parts: serialised as JSON.stringify does, placeholders as slots. */
function jsonParts(value: unknown, names: string[], used: Set<string>, out: Part[]): void {
  if (typeof value === 'string') {
    const pieces = parts(value, names, asJsonStringPart, used, (piece) => JSON.stringify(piece).slice(1, -1));
    const lone = pieces.length === 1 && typeof pieces[0] !== 'string';
    if (lone) out.push({ source: (pieces[0] as Slot).source, format: asJsonValue });
    else out.push('"', ...pieces, '"');
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index > 0) out.push(',');
      // As JSON.stringify: what has no JSON form is null inside an array.
      if (item === undefined || typeof item === 'function') out.push('null');
      else jsonParts(item, names, used, out);
    });
    out.push(']');
  } else if (value !== null && typeof value === 'object') {
    out.push('{');
    let first = true;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined || typeof item === 'function') continue;
      out.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      jsonParts(item, names, used, out);
    }
    out.push('}');
  } else out.push(JSON.stringify(value) ?? 'null');
}

/** Adjacent fixed pieces joined, so a send concatenates as few strings as it can. */
function merged(list: Part[]): Part[] {
  const out: Part[] = [];
  for (const part of list) {
    const last = out[out.length - 1];
    if (typeof part === 'string' && typeof last === 'string') out[out.length - 1] = last + part;
    else if (part !== '') out.push(part);
  }
  return out;
}

function render(list: Part[], values: Scalar[]): string {
  let text = '';
  for (const part of list) text += typeof part === 'string' ? part : part.format(values[part.source]);
  return text;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Compiles a request. Throws TemplateError for a placeholder that names no value, a value no
 * placeholder uses, or a value that would break the request line or a header (CR, LF, NUL).
 */
export function compileRequest(template: RequestTemplate): CompiledRequest {
  const names = Object.keys(template.values);
  const sources = names.map((name) => template.values[name]);
  const used = new Set<string>();
  const given = new Set(Object.keys(template.headers).map((name) => name.toLowerCase()));
  const head: Part[] = [`${template.method} `, ...parts(template.path, names, asPath, used), ' HTTP/1.1\r\n'];
  if (!given.has('host')) head.push(`host: ${template.host}\r\n`);
  if (!given.has('user-agent')) head.push('user-agent: chaos-action-load\r\n');
  const headerUsers = new Set<string>();
  for (const [name, value] of Object.entries(template.headers)) {
    head.push(`${name}: `, ...parts(value, names, asText, headerUsers), '\r\n');
  }
  for (const name of headerUsers) used.add(name);
  let body: Part[] | null = null;
  if (template.body?.kind === 'raw') body = parts(template.body.text, names, asText, used);
  else if (template.body?.kind === 'json') {
    body = [];
    jsonParts(template.body.value, names, used, body);
  }
  const unused = names.filter((name) => !used.has(name));
  // Every character outside ASCII takes more than one byte in UTF-8.
  const ascii = (text: string): boolean => Buffer.byteLength(text, 'utf8') === text.length;
  if (unused.length)
    throw new TemplateError(
      `${unused.map((name) => `values.${name}`).join(', ')}: no {{${unused[0]}}} in the path, a header or the body uses it`,
    );
  // A header's value or the path must stay one line whatever is drawn: a finite source is checked
  // value by value; the endless ones (sequence, uuid) only ever make digits, hex and dashes.
  for (const name of headerUsers) {
    const source = template.values[name];
    if (source.size === null) continue;
    for (let index = 0; index < source.size; index++) {
      if (/[\r\n\0]/.test(String(source.valueAt(index))))
        throw new TemplateError(
          `values.${name}: ${JSON.stringify(source.valueAt(index))} cannot go in a header`,
        );
    }
  }
  const headParts = merged(head);
  const bodyParts = body === null ? null : merged(body);
  const noBodyLine = BODY_METHODS.has(template.method) ? 'content-length: 0\r\n\r\n' : '\r\n';
  const encode = (values: Scalar[]): Buffer => {
    const headText = render(headParts, values);
    if (bodyParts === null) return Buffer.from(headText + noBodyLine, 'latin1');
    const bodyText = render(bodyParts, values);
    const bodyBytes = Buffer.byteLength(bodyText, 'utf8');
    const headFull = `${headText}content-length: ${bodyBytes}\r\n\r\n`;
    const bytes = Buffer.allocUnsafe(headFull.length + bodyBytes);
    bytes.write(headFull, 0, 'latin1');
    bytes.write(bodyText, headFull.length, 'utf8');
    return bytes;
  };

  if (sources.length === 0) {
    const fixed = encode([]);
    return { fixed, variants: 0, bytes: () => fixed };
  }
  const sizes = sources.map((source) => source.size);
  const count = sizes.reduce<number | null>((n, size) => (n === null || size === null ? null : n * size), 1);
  if (count !== null && count <= MAX_VARIANTS) {
    const variants = ahead(sources, count, encode);
    if (variants) {
      // Mixed radix: the first source's index varies fastest.
      const strides = sizes.map((_, i) =>
        sizes.slice(0, i).reduce<number>((n, size) => n * (size as number), 1),
      );
      return {
        fixed: null,
        variants: variants.length,
        bytes: (n) => {
          let index = 0;
          for (let i = 0; i < sources.length; i++) index += sources[i].indexFor(n) * strides[i];
          return variants[index];
        },
      };
    }
  }
  const values: Scalar[] = new Array<Scalar>(sources.length);
  // Formatted at each send. As text when everything before the body is ASCII whatever is drawn:
  // the fixed head, and a header's values (the path's are URL-encoded; the endless sources draw
  // digits, hex and dashes).
  const headIsAscii =
    headParts.every((part) => typeof part !== 'string' || ascii(part)) &&
    [...headerUsers].every((name) => {
      const source = template.values[name];
      if (source.size === null) return true;
      for (let index = 0; index < source.size; index++)
        if (!ascii(String(source.valueAt(index)))) return false;
      return true;
    });
  if (!headIsAscii)
    return {
      fixed: null,
      variants: 0,
      bytes: (n) => {
        for (let i = 0; i < sources.length; i++) values[i] = sources[i].next(n);
        return encode(values);
      },
    };
  return {
    fixed: null,
    variants: 0,
    bytes: (n) => {
      for (let i = 0; i < sources.length; i++) values[i] = sources[i].next(n);
      const headText = render(headParts, values);
      if (bodyParts === null) return headText + noBodyLine;
      const bodyText = render(bodyParts, values);
      return `${headText}content-length: ${Buffer.byteLength(bodyText, 'utf8')}\r\n\r\n${bodyText}`;
    },
  };
}

/** Every variant's bytes, or null when together they would exceed MAX_VARIANT_BYTES. */
function ahead(sources: ValueSource[], count: number, encode: (values: Scalar[]) => Buffer): Buffer[] | null {
  const variants: Buffer[] = [];
  let total = 0;
  const values: Scalar[] = new Array<Scalar>(sources.length);
  for (let index = 0; index < count; index++) {
    let rest = index;
    for (let i = 0; i < sources.length; i++) {
      const size = sources[i].size as number;
      values[i] = sources[i].valueAt(rest % size);
      rest = Math.floor(rest / size);
    }
    const bytes = encode(values);
    total += bytes.length;
    if (total > MAX_VARIANT_BYTES) return null;
    variants.push(bytes);
  }
  return variants;
}
