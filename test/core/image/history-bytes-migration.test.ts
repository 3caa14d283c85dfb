/**
 * Upgrading an image made before history was bounded (schema 0004): migration 0005 gives
 * every kept transaction the bytes its changes hold, and each person their day's total, from
 * the history already there, counting UTF-8 bytes as stored, not characters.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { encodeSlot } from '../../../src/core/image/codec.ts';
import type { Value } from '../../../src/core/model/value.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { imageBefore, withImage } from './support.ts';

const encoded = (value: Value) => encodeSlot({ kind: 'value', value });
const bytes = (...texts: string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
const ALICE = 'discord:alice';

describe.each(IMAGE_KINDS)('migration 0005 on %s', (kind) => {
  it("fills each transaction's bytes and today's totals from the history kept", async () => {
    const location = await freshImageLocation(kind);
    const today = new Date().toISOString();
    const earlier = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const changes = [
      { tx: 1, at: earlier, before: null, after: encoded('old') },
      { tx: 2, at: today, before: encoded('old'), after: encoded('🦇 é') },
      { tx: 3, at: today, before: encoded('🦇 é'), after: null },
    ];
    await imageBefore(location, '0005', async (db) => {
      for (const c of changes) {
        await sql`INSERT INTO transactions (tx, at, who, platform) VALUES (${c.tx}, ${c.at}, ${ALICE}, 'discord')`.execute(
          db,
        );
        await sql`INSERT INTO changes (tx, seq, oid, slot, before, after) VALUES (${c.tx}, 0, 7, 'note', ${c.before}, ${c.after})`.execute(
          db,
        );
      }
      await sql`INSERT INTO transactions (tx, at, who, platform) VALUES (4, ${today}, 'system:batos', 'console')`.execute(
        db,
      );
    });
    await withImage(location, async (image) => {
      const history = await image.history({ limit: 10 });
      expect(history.map((e) => [e.tx, e.bytes])).toEqual([
        [4, 0],
        [3, bytes(encoded('🦇 é'))],
        [2, bytes(encoded('old'), encoded('🦇 é'))],
        [1, bytes(encoded('old'))],
      ]);
      expect(image.historyBytesToday(ALICE)).toBe(
        bytes(encoded('old'), encoded('🦇 é'), encoded('🦇 é')),
      );
      expect(image.historyBytesToday('discord:mallory')).toBe(0);
      expect(await image.historySize()).toBe(
        bytes(encoded('old'), encoded('old'), encoded('🦇 é'), encoded('🦇 é')),
      );
    });
  });
});
