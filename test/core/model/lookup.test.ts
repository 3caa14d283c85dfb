import { describe, expect, it } from 'vitest';
import { lookup } from '../../../src/core/model/lookup.ts';
import {
  PARENT_SLOT,
  ref,
  type Oid,
  type Slot,
  type Value,
} from '../../../src/core/model/value.ts';

const v = (value: Value): Slot => ({ kind: 'value', value });

function world(objects: Record<Oid, Array<[string, Slot]>>) {
  const maps = new Map(
    Object.entries(objects).map(([oid, slots]) => [Number(oid), new Map(slots)]),
  );
  return (oid: Oid) => maps.get(oid);
}

describe('lookup', () => {
  it('finds own slots before inherited ones', () => {
    const read = world({
      1: [['x', v('parent')]],
      2: [
        [PARENT_SLOT, v(ref(1))],
        ['x', v('own')],
      ],
    });
    expect(lookup(2, 'x', read)).toEqual({ holder: 2, slot: v('own') });
  });

  it('searches parents depth-first, left to right', () => {
    // 4 has parents [2, 3]; 2 inherits from 1 which has "x"; 3 has "x" too: depth-first finds 1's first.
    const read = world({
      1: [['x', v('grandparent')]],
      2: [[PARENT_SLOT, v(ref(1))]],
      3: [['x', v('right')]],
      4: [[PARENT_SLOT, v([ref(2), ref(3)])]],
    });
    expect(lookup(4, 'x', read)?.holder).toBe(1);
    expect(lookup(4, 'y', read)).toBeUndefined();
  });

  it('is safe with cycles and visits each object once', () => {
    const seen: Oid[] = [];
    const maps = world({
      1: [[PARENT_SLOT, v(ref(2))]],
      2: [[PARENT_SLOT, v([ref(1), ref(2)])]],
    });
    const read = (oid: Oid) => {
      seen.push(oid);
      return maps(oid);
    };
    expect(lookup(1, 'missing', read)).toBeUndefined();
    expect(seen).toEqual([1, 2]);
  });

  it('ignores parents that do not exist', () => {
    const read = world({ 1: [[PARENT_SLOT, v([ref(99), ref(2)])]], 2: [['x', v(1)]] });
    expect(lookup(1, 'x', read)?.holder).toBe(2);
  });
});
