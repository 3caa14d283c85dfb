import { describe, expect, it } from 'vitest';
import { fuseRankings } from '../../src/personas/memory/recall.ts';

const memory = (oid: number) => ({ oid, text: `memory ${oid}` });
const oids = (...rankings: number[][]) =>
  fuseRankings(rankings.map((r) => r.map(memory))).map((m) => m.oid);

describe('fusing the full-text and the embedding rankings', () => {
  it('puts a memory both found first, each memory once, ties in the order first found', () => {
    expect(oids([1, 2, 3], [4, 3, 5])).toEqual([3, 1, 4, 2, 5]);
    expect(oids([1, 2], [])).toEqual([1, 2]);
    expect(oids([], [7, 8])).toEqual([7, 8]);
    expect(oids([], [])).toEqual([]);
  });
});
