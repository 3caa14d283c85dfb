/**
 * Upgrading an image made before migration 0018: the index of changes by object and slot
 * becomes one of the changes that set a method, so a method's versions are found as before
 * (a value written to the same slot between them is not a version), and objects by owner
 * are read through the index by owner and size alone.
 */
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { encodeSlot, encodeSlots } from '../../../src/core/image/codec.ts';
import { SETS_METHOD } from '../../../src/core/image/migrations.ts';
import type { Slot } from '../../../src/core/model/value.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { imageBefore, withImage } from './support.ts';

const ALICE = 'discord:alice';
const method = (source: string): Slot => ({ kind: 'method', source });

describe.each(IMAGE_KINDS)('migration 0018 on %s', (kind) => {
  it("finds a method's versions through the index of method changes, and counts by owner", async () => {
    const location = await freshImageLocation(kind);
    await imageBefore(location, '0018', async (db) => {
      const changes: Array<[tx: number, slot: string | null, before?: Slot, after?: Slot]> = [
        [1, null],
        [2, 'greet', undefined, method('function () { return 1 }')],
        [3, 'greet', method('function () { return 1 }'), { kind: 'value', value: 'a note' }],
        [4, 'count', undefined, { kind: 'value', value: 4 }],
        [5, 'greet', { kind: 'value', value: 'a note' }, method('function () { return 2 }')],
      ];
      for (const [tx, slot, before, after] of changes) {
        await sql`INSERT INTO transactions (tx, at, who, platform) VALUES (${tx}, '2026-12-08T04:00:00.000Z', ${ALICE}, 'discord')`.execute(
          db,
        );
        await sql`INSERT INTO changes (tx, seq, oid, slot, before, after)
          VALUES (${tx}, 0, 1, ${slot}, ${before === undefined ? null : encodeSlot(before)},
                  ${after === undefined ? null : encodeSlot(after)})`.execute(db);
      }
      const slots = new Map<string, Slot>([
        ['greet', method('function () { return 2 }')],
        ['count', { kind: 'value', value: 4 }],
      ]);
      await sql`INSERT INTO objects (oid, slots, refs, owner, version) VALUES (1, ${encodeSlots(slots)}, '[]', ${ALICE}, 5)`.execute(
        db,
      );
    });
    await withImage(location, async (image) => {
      const versions = await image.history({ oid: 1, methodSlots: ['greet'], limit: 10 });
      expect(versions.map((entry) => entry.tx)).toEqual([5, 2]);
      expect(await image.history({ oid: 1, methodSlots: ['count'], limit: 10 })).toEqual([]);
      expect(image.ownedObjects(ALICE)).toBe(1);
    });
  });
});

describe('a recorded slot', () => {
  it('starts with its kind however it was built, as the index of method changes reads it', () => {
    const built = { source: 'function () {}', kind: 'method' } as Slot;
    const recorded = encodeSlot(built);
    expect(recorded.startsWith('{"kind":"method"')).toBe(true);
    expect(JSON.parse(recorded)).toEqual(built);
    // The index's own predicate, as both databases evaluate it, knows it; and no value.
    const sqlite = new Database(':memory:');
    const setsMethod = sqlite.prepare<[string], { yes: number }>(
      `SELECT ${SETS_METHOD} AS yes FROM (SELECT ? AS after)`,
    );
    expect(setsMethod.get(recorded)?.yes).toBe(1);
    expect(setsMethod.get(encodeSlot({ kind: 'value', value: '{"kind":"method"' }))?.yes).toBe(0);
    sqlite.close();
  });
});
