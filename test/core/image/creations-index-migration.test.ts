/**
 * Upgrading an image made before the creations index (schema 0011): migration 0012 only adds
 * an index, so the objects and history are as they were, and the objects created per day
 * (the image page's growth) are counted from the history already there.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { encodeSlot, encodeSlots } from '../../../src/core/image/codec.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { imageBefore, withImage } from './support.ts';

const ALICE = 'discord:alice';
const slots = (n: number) => encodeSlots(new Map([['n', { kind: 'value', value: n }]]));

describe.each(IMAGE_KINDS)('migration 0012 on %s', (kind) => {
  it('keeps every object and transaction, and counts the creations history holds', async () => {
    const location = await freshImageLocation(kind);
    const days = ['2026-11-30T09:00:00.000Z', '2026-12-02T09:00:00.000Z'];
    await imageBefore(location, '0012', async (db) => {
      // Two objects created on the first day, one on the second, then a slot change.
      const rows = [
        { tx: 1, at: days[0]!, oid: 1 },
        { tx: 1, at: days[0]!, oid: 2 },
        { tx: 2, at: days[1]!, oid: 3 },
      ];
      for (const [seq, row] of rows.entries()) {
        await sql`INSERT INTO transactions (tx, at, who, platform) VALUES (${row.tx}, ${row.at}, ${ALICE}, 'discord')
          ON CONFLICT (tx) DO NOTHING`.execute(db);
        await sql`INSERT INTO objects (oid, slots, refs, owner, version) VALUES (${row.oid}, ${slots(row.oid)}, '[]', ${ALICE}, ${row.tx})`.execute(
          db,
        );
        await sql`INSERT INTO changes (tx, seq, oid, slot, before, after) VALUES (${row.tx}, ${seq}, ${row.oid}, NULL, NULL, NULL)`.execute(
          db,
        );
      }
      await sql`INSERT INTO transactions (tx, at, who, platform) VALUES (3, ${days[1]!}, ${ALICE}, 'discord')`.execute(
        db,
      );
      await sql`INSERT INTO changes (tx, seq, oid, slot, before, after) VALUES (3, 0, 3, 'n', ${encodeSlot({ kind: 'value', value: 3 })}, ${encodeSlot({ kind: 'value', value: 4 })})`.execute(
        db,
      );
    });
    await withImage(location, async (image) => {
      expect([1, 2, 3].map((oid) => image.read(oid)?.get('n'))).toEqual([
        { kind: 'value', value: 1 },
        { kind: 'value', value: 2 },
        { kind: 'value', value: 3 },
      ]);
      expect((await image.history({ limit: 10 })).map((entry) => entry.tx)).toEqual([3, 2, 1]);
      expect(await image.createdPerDay('2026-11-01')).toEqual([
        { day: '2026-11-30', created: 2 },
        { day: '2026-12-02', created: 1 },
      ]);
      expect(await image.createdPerDay('2026-12-01')).toEqual([{ day: '2026-12-02', created: 1 }]);
      expect(await image.createdPerDay('2026-12-03')).toEqual([]);
      expect(await image.createdPerDay('2026-11-01', 'discord:bob')).toEqual([]);
    });
  });
});
