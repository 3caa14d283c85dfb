/**
 * Upgrading an image made before the object totals (migration 0016): the migration counts
 * each owner's objects and stored bytes from the objects already there, and ranks them by
 * size, so the image page's figures are right from the first load after the upgrade.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { encodeSlots } from '../../../src/core/image/codec.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { imageBefore, withImage } from './support.ts';

const ALICE = 'discord:alice';
const BOB = 'discord:bob';
/** Slots with a text of `length` characters; `é` takes two bytes, so bytes are not characters. */
const slots = (length: number) =>
  encodeSlots(new Map([['text', { kind: 'value', value: 'é'.repeat(length) }]]));

describe.each(IMAGE_KINDS)('migration 0016 on %s', (kind) => {
  it('counts the objects and bytes already stored, per owner, and ranks them by size', async () => {
    const location = await freshImageLocation(kind);
    const objects = [
      { oid: 1, owner: ALICE, slots: slots(10) },
      { oid: 2, owner: ALICE, slots: slots(300) },
      { oid: 3, owner: BOB, slots: slots(100) },
    ];
    await imageBefore(location, '0016', async (db) => {
      for (const o of objects)
        await sql`INSERT INTO objects (oid, slots, refs, owner, version) VALUES (${o.oid}, ${o.slots}, '[]', ${o.owner}, 0)`.execute(
          db,
        );
    });
    const bytes = (oid: number) => Buffer.byteLength(objects[oid - 1]!.slots);
    await withImage(location, async (image) => {
      expect(await image.objectTotals(ALICE)).toEqual({ objects: 2, bytes: bytes(1) + bytes(2) });
      expect(await image.objectTotals(BOB)).toEqual({ objects: 1, bytes: bytes(3) });
      expect(await image.objectTotals()).toEqual({
        objects: 3,
        bytes: bytes(1) + bytes(2) + bytes(3),
      });
      expect((await image.largestObjects(10)).map((o) => [o.oid, o.bytes])).toEqual([
        [2, bytes(2)],
        [3, bytes(3)],
        [1, bytes(1)],
      ]);
      expect((await image.largestObjects(1, 1, ALICE)).map((o) => o.oid)).toEqual([1]);
    });
  });
});
