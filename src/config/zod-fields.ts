// zod building blocks shared by the scenario and run-config schemas: maps that reject unknown
// keys with a did-you-mean, and fields parsed from human units with clear messages.
import { z } from 'zod';
import { didYouMean } from './suggest';
import { parseByteRate, parseDurationValue, parsePercent, parseRate, parseSize } from './units';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A map with exactly these keys: an unknown key is an error naming the closest known key. */
export function strictMap<T extends z.ZodRawShape>(shape: T) {
  const keys = Object.keys(shape);
  return z.preprocess((value, ctx) => {
    if (isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        if (!keys.includes(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `unknown key${didYouMean(key, keys)}`,
            params: { key: true },
          });
        }
      }
    }
    return value;
  }, z.object(shape));
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
          path: error.path.map(String),
          params: { key: error.atKey },
        });
      } else ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

export const durationField = () => parsed((v) => parseDurationValue(v));
export const rateField = () => parsed(parseRate);
export const percentField = () => parsed((v) => parsePercent(v));
export const sizeField = () => parsed(parseSize);
export const byteRateField = () => parsed(parseByteRate);

export const nonEmptyString = (what = 'a non-empty string') =>
  z.string({ error: (i) => (i.input === undefined ? 'is required' : `expected ${what}`) }).min(1, {
    error: `must not be empty`,
  });
