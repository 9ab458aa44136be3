import { sampleValues, valueSource, ValueSpecError, type ValueSpec } from '../../../src/load/values';

const source = (spec: ValueSpec) => valueSource(spec, 'values.x');

describe('value generators', () => {
  it('a sequence counts from its start by its step, and wraps after `to`', () => {
    expect(sampleValues(source({ kind: 'sequence', from: 5, step: 1 }), 4)).toEqual([5, 6, 7, 8]);
    expect(source({ kind: 'sequence', from: 5, step: 1 }).size).toBeNull();
    const wrapping = source({ kind: 'sequence', from: 10, step: -5, to: 0 });
    expect(wrapping.size).toBe(3);
    expect(sampleValues(wrapping, 7)).toEqual([10, 5, 0, 10, 5, 0, 10]);
    // The n-th send's value depends on n alone: two workers drawing disjoint n agree with one.
    expect(wrapping.next(4)).toBe(5);
  });

  it('a range draws whole numbers inside its bounds, each of them', () => {
    const range = source({ kind: 'range', min: 3, max: 6 });
    expect(range.size).toBe(4);
    const drawn = new Set(sampleValues(range, 2000));
    expect([...drawn].sort()).toEqual([3, 4, 5, 6]);
    const indexes = new Set(Array.from({ length: 2000 }, (_, n) => range.indexFor(n)));
    expect([...indexes].sort()).toEqual([0, 1, 2, 3]);
    expect(range.valueAt(2)).toBe(5);
  });

  it('a pick draws only from its list, and a cycle takes it in order', () => {
    const pick = source({ kind: 'pick', values: ['a', 7, true] });
    expect(new Set(sampleValues(pick, 500))).toEqual(new Set(['a', 7, true]));
    const cycle = source({ kind: 'cycle', values: ['u1', 'u2', 'u3'] });
    expect(sampleValues(cycle, 5)).toEqual(['u1', 'u2', 'u3', 'u1', 'u2']);
    expect(cycle.indexFor(4)).toBe(1);
  });

  it('a uuid is a fresh version-4 UUID each time', () => {
    const values = sampleValues(source({ kind: 'uuid' }), 100);
    for (const value of values)
      expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(values).size).toBe(100);
  });

  it('refuses what cannot generate anything, naming the field', () => {
    const refused = (spec: ValueSpec) => () => source(spec);
    expect(refused({ kind: 'range', min: 5, max: 1 })).toThrow(
      new ValueSpecError('values.x: a range is two whole numbers, the first not above the second'),
    );
    expect(refused({ kind: 'range', min: 1.5, max: 3 })).toThrow(ValueSpecError);
    expect(refused({ kind: 'sequence', from: 1, step: 0 })).toThrow(/whole steps/);
    expect(refused({ kind: 'sequence', from: 1, step: 1, to: 0 })).toThrow(/never reaches 0/);
    expect(refused({ kind: 'pick', values: [] })).toThrow('values.x: has no values to take');
  });
});
