// A request mix as a file writes it (`requests:` in the run config and in a scenario's `load:`)
// and the value generators its `{{placeholders}}` draw from (docs/load.md, "Request mix"):
//
//   requests:
//     - name: predict
//       weight: 9
//       method: POST
//       path: /v1/predict
//       json: { user_id: "{{user}}" }
//       values:
//         user: { range: [1, 1000] }              # a whole number drawn uniformly
//         # { sequence: { from: 1, step: 1 } }    # from, from + step, ... (back to from after `to`)
//         # { pick: [a, b, c] }                   # one of them, drawn uniformly
//         # uuid                                  # a fresh version-4 UUID
//         # { csv: users.csv, column: id }        # a CSV column next to the file, cycled
//         # { cycle: [a, b, c] }                  # these, in order, over and over
//     - { name: health, weight: 1, path: /healthz }
//
// A CSV file is read when the file naming it is loaded: its column becomes a `cycle`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { MixRequestSpec, Scalar, ValueSpec } from '../load';
import { FieldError, parsed, strictMap } from './zod-fields';

const whole = z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' });

/** A value generator as written; `csv` stays a reference until readCsvValues reads it. */
export type WrittenValue = ValueSpec | { kind: 'csv'; file: string; column: string };

const GENERATORS =
  'uuid, { sequence: { from, step, to } }, { range: [min, max] }, { pick: [...] }, { cycle: [...] }, { csv: FILE, column: NAME }';

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);

/** A whole number at `at` inside the generator, or a FieldError there. */
function wholeAt(value: unknown, at: PropertyKey[], what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new FieldError(`${what}: expected a whole number`, at, false);
  return value;
}

function scalarsAt(value: unknown, at: PropertyKey[]): Scalar[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new FieldError('needs a list of at least one value', at, false);
  value.forEach((item, index) => {
    if (!isScalar(item))
      throw new FieldError('expected a string, number or true/false', [...at, index], false);
  });
  return value as Scalar[];
}

/** One generator as written: exactly one of the forms in GENERATORS. */
function readGenerator(value: unknown): WrittenValue {
  if (value === 'uuid') return { kind: 'uuid' };
  const keys = isMap(value) ? Object.keys(value) : [];
  const kind = keys.find((key) => ['uuid', 'sequence', 'range', 'pick', 'cycle', 'csv'].includes(key));
  if (!isMap(value) || kind === undefined)
    throw new FieldError(`is not a generator (one of: ${GENERATORS})`, [], false);
  const extra = keys.filter((key) => key !== kind && !(kind === 'csv' && key === 'column'));
  if (extra.length) throw new FieldError(`unknown key beside ${kind}`, [extra[0]], true);
  const body = value[kind];
  switch (kind) {
    case 'uuid':
      return { kind: 'uuid' };
    case 'sequence': {
      if (typeof body === 'number')
        return { kind: 'sequence', from: wholeAt(body, ['sequence'], 'sequence'), step: 1 };
      if (!isMap(body))
        throw new FieldError('expected { from, step, to } or a start number', ['sequence'], false);
      const unknownKey = Object.keys(body).find((key) => !['from', 'step', 'to'].includes(key));
      if (unknownKey)
        throw new FieldError('unknown key (a sequence takes from, step, to)', ['sequence', unknownKey], true);
      const at = (key: string) => ['sequence', key];
      return {
        kind: 'sequence',
        from: body.from === undefined ? 1 : wholeAt(body.from, at('from'), 'from'),
        step: body.step === undefined ? 1 : wholeAt(body.step, at('step'), 'step'),
        ...(body.to === undefined ? {} : { to: wholeAt(body.to, at('to'), 'to') }),
      };
    }
    case 'range': {
      if (!Array.isArray(body) || body.length !== 2)
        throw new FieldError('expected [min, max]', ['range'], false);
      return {
        kind: 'range',
        min: wholeAt(body[0], ['range', 0], 'min'),
        max: wholeAt(body[1], ['range', 1], 'max'),
      };
    }
    case 'pick':
    case 'cycle':
      return { kind, values: scalarsAt(body, [kind]) };
    default: {
      const column = value.column;
      if (typeof body !== 'string' || body === '')
        throw new FieldError('expected a file name', ['csv'], false);
      if (!(typeof column === 'string' && column !== '') && !(typeof column === 'number' && column >= 1))
        throw new FieldError('a csv generator names its column (a header, or a number from 1)', [], false);
      return { kind: 'csv', file: body, column: String(column) };
    }
  }
}

const valueSchema = parsed(readGenerator).meta({
  description: `a value generator: ${GENERATORS}`,
});

const statusList = z
  .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** What one request is, as written: a scenario's `load.request` and each request of a mix. */
export const requestFields = {
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']))
    .prefault('GET'),
  path: z.string().startsWith('/', { error: 'must start with /' }),
  headers: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).prefault({}),
  json: z.unknown().optional(),
  body: z.string().optional(),
  expect: strictMap({
    status: statusList.prefault(200),
    'body-contains': z.string().optional(),
  }).prefault({}),
};

/** One request of a mix, as written. */
export const mixEntrySchema = strictMap({
  name: z
    .string({ error: 'every request of a mix has a name' })
    .trim()
    .regex(/^[^{}]+$/, { error: 'a name has no { or } (thresholds write it as {request:NAME})' }),
  weight: whole.min(1, { error: 'must be at least 1' }).prefault(1),
  ...requestFields,
  values: z.record(z.string(), valueSchema).prefault({}),
  /** Which dependencies the request reaches, as `init --explore` measured it (kept for reports). */
  reaches: z.array(z.string()).optional(),
});
export type MixEntryInput = z.input<typeof mixEntrySchema>;
export type MixEntry = z.output<typeof mixEntrySchema>;

export const requestMixSchema = z
  .array(mixEntrySchema)
  .min(1, { error: 'needs at least one request' })
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (entry.json !== undefined && entry.body !== undefined)
        ctx.addIssue({ code: 'custom', path: [index], message: 'give either json or body, not both' });
      if (seen.has(entry.name))
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${entry.name}" is used twice` });
      seen.add(entry.name);
    });
  });

/**
 * Splits CSV text into rows (RFC 4180: quoted fields may hold commas, quotes doubled, line
 * breaks). The first row is the header.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = (): void => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  endRow();
  return rows;
}

/** A CSV cell as a value: a whole or decimal number is a number (so `"{{id}}"` in JSON is one). */
const cellValue = (cell: string): Scalar => (/^-?\d{1,15}(\.\d+)?$/.test(cell) ? Number(cell) : cell);

/** Reads one column of a CSV file (by header name, or 1-based number) into a cycle. */
export function readCsvColumn(file: string, column: string): ValueSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new Error(`${file} is empty`);
  let index = header.indexOf(column);
  if (index < 0 && /^\d+$/.test(column)) index = Number(column) - 1;
  if (index < 0 || index >= header.length)
    throw new Error(`${file} has no column "${column}" (columns: ${header.join(', ')})`);
  const values = rows.map((row) => row[index] ?? '').filter((cell) => cell !== '');
  if (!values.length) throw new Error(`${file}: column "${column}" has no values`);
  return { kind: 'cycle', values: values.map(cellValue), source: `${path.basename(file)}:${column}` };
}

/**
 * The written mix with every `csv:` generator read (paths relative to `dir`), as the load
 * generator takes it. Throws FieldError pointing at the generator that cannot be read.
 */
export function readCsvValues(entries: MixEntry[], dir: string): MixEntry[] {
  return entries.map((entry, index) => ({
    ...entry,
    values: Object.fromEntries(
      Object.entries(entry.values).map(([name, value]) => {
        const written = value as WrittenValue;
        if (written.kind !== 'csv') return [name, written];
        try {
          return [name, readCsvColumn(path.resolve(dir, written.file), written.column)];
        } catch (error) {
          throw new FieldError((error as Error).message, [index, 'values', name], false);
        }
      }),
    ),
  }));
}

/** The written mix's `csv:` paths resolved against `dir` (a run config file's directory). */
export function csvPathsFrom(written: unknown, dir: string): unknown {
  if (!Array.isArray(written)) return written;
  return written.map((entry: unknown) => {
    const values = (entry as { values?: unknown })?.values;
    if (values === null || typeof values !== 'object' || Array.isArray(values)) return entry;
    const resolved = Object.fromEntries(
      Object.entries(values).map(([name, value]) => {
        const csv = (value as { csv?: unknown })?.csv;
        return [
          name,
          typeof csv === 'string' ? { ...(value as object), csv: path.resolve(dir, csv) } : value,
        ];
      }),
    );
    return { ...(entry as object), values: resolved };
  });
}

/** Every `csv:` file a written mix names (for the run config's inside-the-working-directory check). */
export function csvFilesOf(written: unknown): string[] {
  if (!Array.isArray(written)) return [];
  return written.flatMap((entry: unknown) =>
    Object.values(((entry as { values?: Record<string, unknown> })?.values ?? {}) as Record<string, unknown>)
      .map((value) => (value as { csv?: unknown })?.csv)
      .filter((csv): csv is string => typeof csv === 'string'),
  );
}

/**
 * Reads `requests:` of the run config: validated, each CSV column read (paths already resolved
 * against the file's directory, else the working directory). Returns the entries in the form a
 * scenario's `load.requests` takes (a `csv:` read into `cycle:`), so `${requests}` fits there.
 */
export function parseRequestMixSetting(value: unknown): MixEntryInput[] {
  const result = requestMixSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FieldError(issue.message, issue.path as PropertyKey[], false);
  }
  return (value as MixEntryInput[]).map((entry, index) => {
    if (!entry.values) return entry;
    const values = Object.entries(entry.values).map(([name, written]) => {
      const csv = written as { csv?: string; column?: string | number };
      if (typeof csv?.csv !== 'string') return [name, written];
      try {
        const read = readCsvColumn(path.resolve(csv.csv), String(csv.column)) as { values: Scalar[] };
        return [name, { cycle: read.values }];
      } catch (error) {
        throw new FieldError((error as Error).message, [index, 'values', name], false);
      }
    });
    return { ...entry, values: Object.fromEntries(values) };
  });
}

/** A written mix entry as the load generator takes it. */
export function toMixRequestSpec(entry: MixEntry): MixRequestSpec {
  return {
    name: entry.name,
    weight: entry.weight,
    method: entry.method,
    path: entry.path,
    headers: entry.headers,
    ...(entry.json !== undefined ? { json: entry.json } : {}),
    ...(entry.body !== undefined ? { body: entry.body } : {}),
    values: entry.values as Record<string, ValueSpec>,
    expect: {
      status: entry.expect.status,
      ...(entry.expect['body-contains'] ? { bodyContains: entry.expect['body-contains'] } : {}),
    },
  };
}
