// The small generators a request's values come from (docs/load.md, "Values"). A value is
// drawn for the n-th send of its request (n counts that request's sends, from 0, in the order
// the schedule plans them): the deterministic generators (sequence, cycle) follow n, so worker
// threads that share a schedule together draw exactly what one thread would; the random ones
// (range, pick, uuid) ignore it. Pure but for the random draws.
import { randomUUID } from 'node:crypto';

export type Scalar = string | number | boolean;

/** A generator as the load spec states it (the config layer turns YAML into these). */
export type ValueSpec =
  /** from, from + step, ...; with `to`, back to `from` after it. */
  | { kind: 'sequence'; from: number; step: number; to?: number }
  /** A whole number drawn uniformly from [min, max]. */
  | { kind: 'range'; min: number; max: number }
  /** One of the values, drawn uniformly. */
  | { kind: 'pick'; values: Scalar[] }
  /** A random version-4 UUID. */
  | { kind: 'uuid' }
  /** The values in order, over and over (a CSV column is read into one of these). */
  | { kind: 'cycle'; values: Scalar[]; source?: string };

/** What a send asks of a generator. */
export interface ValueSource {
  /** How many distinct values it draws from, or null when there is no end to them. */
  readonly size: number | null;
  /** For a finite source: the index of the n-th send's value (0 ≤ index < size). */
  indexFor(n: number): number;
  /** For a finite source: the value at an index. */
  valueAt(index: number): Scalar;
  /** The n-th send's value. */
  next(n: number): Scalar;
}

export class ValueSpecError extends Error {}

/** A sequence with more steps than this is treated as endless (its values are never listed). */
const MAX_LISTED_SEQUENCE = 1_000_000;

const isWhole = (value: number): boolean => Number.isSafeInteger(value);

/** Builds a generator, or throws ValueSpecError naming what is wrong (`what` is the field, e.g. values.id). */
export function valueSource(spec: ValueSpec, what: string): ValueSource {
  switch (spec.kind) {
    case 'sequence': {
      const { from, step, to } = spec;
      if (!isWhole(from) || !isWhole(step) || step === 0)
        throw new ValueSpecError(`${what}: a sequence counts in whole steps (from ${from}, step ${step})`);
      if (to === undefined) {
        return {
          size: null,
          indexFor: () => 0,
          valueAt: () => from,
          next: (n) => from + n * step,
        };
      }
      if (!isWhole(to) || (step > 0 ? to < from : to > from))
        throw new ValueSpecError(`${what}: a sequence from ${from} by ${step} never reaches ${to}`);
      const steps = Math.floor((to - from) / step) + 1;
      const size = steps <= MAX_LISTED_SEQUENCE ? steps : null;
      return {
        size,
        indexFor: (n) => n % steps,
        valueAt: (index) => from + index * step,
        next: (n) => from + (n % steps) * step,
      };
    }
    case 'range': {
      const { min, max } = spec;
      if (!isWhole(min) || !isWhole(max) || max < min)
        throw new ValueSpecError(`${what}: a range is two whole numbers, the first not above the second`);
      const span = max - min + 1;
      return {
        size: span,
        indexFor: () => Math.floor(Math.random() * span),
        valueAt: (index) => min + index,
        next: () => min + Math.floor(Math.random() * span),
      };
    }
    case 'pick':
    case 'cycle': {
      const { values } = spec;
      if (values.length === 0) throw new ValueSpecError(`${what}: has no values to take`);
      const random = spec.kind === 'pick';
      const size = values.length;
      return {
        size,
        indexFor: random ? () => Math.floor(Math.random() * size) : (n) => n % size,
        valueAt: (index) => values[index],
        next: random ? () => values[Math.floor(Math.random() * size)] : (n) => values[n % size],
      };
    }
    case 'uuid':
      return {
        size: null,
        indexFor: () => 0,
        valueAt: () => randomUUID(),
        next: () => randomUUID(),
      };
  }
}

/** A few values the generator gives, in order, for messages and for checking a template once. */
export function sampleValues(source: ValueSource, count: number): Scalar[] {
  return Array.from({ length: count }, (_, n) => source.next(n));
}
