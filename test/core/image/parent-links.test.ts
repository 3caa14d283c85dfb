/** The parent links the browser finds an object's children through, kept in step by every commit, on both stores. */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { encodeSlots } from '../../../src/core/image/codec.ts';
import type { Image } from '../../../src/core/image/index.ts';
import type { Oid, Slot } from '../../../src/core/model/value.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { imageBefore, v, who, withImage } from './support.ts';

const parent = (...oids: Oid[]): Slot =>
  v(oids.length === 1 ? { $ref: oids[0]! } : oids.map(($ref) => ({ $ref })));

/** Runs `work` in one transaction and commits it. */
async function change<T>(image: Image, work: (tx: ReturnType<Image['begin']>) => T): Promise<T> {
  const tx = image.begin(who);
  const result = work(tx);
  await image.commit(tx);
  return result;
}

describe.each(IMAGE_KINDS)('Image.children on %s', (kind) => {
  it('finds the objects whose parent slot names an object, in oid order, a page at a time', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const [target, other, direct, none, inList, referrer, digits] = await change(image, (tx) => [
        tx.create([['n', v(0)]]),
        tx.create([['n', v(1)]]),
        tx.create([['parent*', parent(0)]]),
        tx.create([['parent*', parent(1)]]),
        tx.create([['parent*', parent(1, 0)]]),
        // A reference in another slot is no parent link, nor a number equal to an oid.
        tx.create([['friend', v({ $ref: 0 })]]),
        tx.create([['parent*', v(0)]]),
      ]);
      expect([target, other]).toEqual([0, 1]);
      expect(await image.children(target!, -1, 10)).toEqual([direct, inList]);
      expect(await image.children(target!, -1, 1)).toEqual([direct]);
      expect(await image.children(target!, direct!, 10)).toEqual([inList]);
      expect(await image.children(other!, -1, 10)).toEqual([none, inList]);
      expect(await image.children(referrer!, -1, 10)).toEqual([]);
      expect(await image.children(digits!, -1, 10)).toEqual([]);
    });
  });

  it('follows a parent slot changed, removed, and an object collected, in the same commit', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const [a, b, child, lost] = await change(image, (tx) => {
        const made = [
          tx.create([['n', v(0)]]),
          tx.create([['n', v(1)]]),
          tx.create([['parent*', parent(0)]]),
          tx.create([['parent*', parent(0)]]),
        ];
        // The root keeps the first three reachable; `lost` only while this slot holds it.
        tx.setSlot(0, 'kept', v(made.slice(1).map(($ref) => ({ $ref }))));
        return made;
      });
      expect(await image.children(a!, -1, 10)).toEqual([child, lost]);

      await change(image, (tx) => tx.setSlot(child!, 'parent*', parent(b!)));
      expect(await image.children(a!, -1, 10)).toEqual([lost]);
      expect(await image.children(b!, -1, 10)).toEqual([child]);

      await change(image, (tx) => tx.setSlot(child!, 'parent*', parent(a!, b!)));
      expect(await image.children(a!, -1, 10)).toEqual([child, lost]);

      await change(image, (tx) => tx.removeSlot(child!, 'parent*'));
      expect(await image.children(a!, -1, 10)).toEqual([lost]);
      expect(await image.children(b!, -1, 10)).toEqual([]);

      // Within one transaction the last word counts.
      await change(image, (tx) => {
        tx.setSlot(child!, 'parent*', parent(a!));
        tx.setSlot(child!, 'parent*', parent(b!));
      });
      expect(await image.children(b!, -1, 10)).toEqual([child]);
      expect(await image.children(a!, -1, 10)).toEqual([lost]);

      await change(image, (tx) => tx.setSlot(0, 'kept', v([{ $ref: b! }, { $ref: child! }])));
      await image.collect();
      expect(await image.children(a!, -1, 10)).toEqual([]);
    });
  });

  it('fills the links from the parent slots an image held before them', async () => {
    const location = await freshImageLocation(kind);
    await imageBefore(location, '0014', async (db) => {
      const objects: Array<[number, Map<string, Slot>]> = [
        [0, new Map([['kids', v([{ $ref: 1 }, { $ref: 2 }])]])],
        [1, new Map([['parent*', parent(0)]])],
        [2, new Map([['parent*', parent(0, 1)]])],
      ];
      for (const [oid, slots] of objects)
        await sql`INSERT INTO objects (oid, slots) VALUES (${oid}, ${encodeSlots(slots)})`.execute(
          db,
        );
      await sql`UPDATE meta SET value = '3' WHERE key = 'next_oid'`.execute(db);
    });
    await withImage(location, async (image) => {
      expect(await image.children(0, -1, 10)).toEqual([1, 2]);
      expect(await image.children(1, -1, 10)).toEqual([2]);
      expect(await image.children(2, -1, 10)).toEqual([]);
    });
  });
});
