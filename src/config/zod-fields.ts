// zod building blocks shared by the scenario and run-config schemas: maps that reject unknown
// keys with a did-you-mean, and fields parsed from human units with clear messages.
import { z } from 'zod';
import { didYouMean } from './suggest';
import { parseByteRate, parseDurationValue, parsePercent, parseRate, parseSize } from './units';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A map with exactly these keys: an unknown key is an error naming the closest known key,
 * reported beside every other problem of the map (a missing required key does not hide it).
 * Editors see `additionalProperties: false` in the JSON Schema made from it.
 */
export function strictMap<T extends z.ZodRawShape>(shape: T) {
  const keys = Object.keys(shape);
  return z
    .object(shape)
    .catchall(z.unknown())
    .superRefine(
      (value, ctx) => {
        if (!isPlainObject(value)) return;
        for (const key of Object.keys(value)) {
          if (keys.includes(key)) continue;
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `unknown key${didYouMean(key, keys)}`,
            params: { key: true },
          });
        }
      },
      // Run beside the fields' own issues, not only when they all passed.
      { when: () => true },
    )
    .transform((value) => {
      const known: Record<string, unknown> = {};
      for (const key of keys) if (key in value) known[key] = value[key];
      return known as z.output<z.ZodObject<T>>;
    })
    .meta({ additionalProperties: false });
}

/** An error about one entry inside a field (e.g. one key of a map): the issue points at that key. */
export class FieldError extends Error {
  constructor(
    message: string,
    readonly path: PropertyKey[],
    readonly atKey = true,
  ) {
    super(message);
  }
}

/** A field parsed by `parse`; its exceptions become the field's error message. */
export function parsed<T>(parse: (value: unknown) => T) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof FieldError) {
        ctx.addIssue({
          code: 'custom',
          message: error.message,
          // A list index stays a number: the YAML source finds a list's item by it.
          path: error.path.map((key) => (typeof key === 'number' ? key : String(key))),
          params: { key: error.atKey },
        });
      } else ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** What a field read from human units accepts, for the JSON Schema editors read (json-schema.ts). */
const unit = (description: string) => ({ type: ['string', 'number'], description });
export const UNIT_SHAPES = {
  duration: unit('a duration like 30s, 500ms or 2m'),
  rate: unit('a rate like 50/s or 3000/m'),
  percent: unit('a percentage like 1%, or a ratio like 0.01'),
  size: unit('a size like 10MB'),
  byteRate: unit('a byte rate like 1MB/s'),
};

export const durationField = () => parsed((v) => parseDurationValue(v)).meta(UNIT_SHAPES.duration);
export const rateField = () => parsed(parseRate).meta(UNIT_SHAPES.rate);
export const percentField = () => parsed((v) => parsePercent(v)).meta(UNIT_SHAPES.percent);
export const sizeField = () => parsed(parseSize).meta(UNIT_SHAPES.size);
export const byteRateField = () => parsed(parseByteRate).meta(UNIT_SHAPES.byteRate);

export const nonEmptyString = (what = 'a non-empty string') =>
  z.string({ error: (i) => (i.input === undefined ? 'is required' : `expected ${what}`) }).min(1, {
    error: `must not be empty`,
  });
