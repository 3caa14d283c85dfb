import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MEMORY_SLOT } from '../../../src/core/image/index.ts';
import type { Image } from '../../../src/core/image/index.ts';
import { OWNER_SLOT } from '../../../src/core/model/object-access.ts';
import { ref } from '../../../src/core/model/value.ts';
import { v, who, withDatabase, withImage } from './support.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';

const ann = 'console:ann';
const bob = 'slack:T1:U"2\'x';
const model = 'embedder.gguf@0123456789ab';

/** Commits one memory object of `owner`'s for each of `texts`, in one transaction; their oids. */
async function memoriesOf(image: Image, owner: string, texts: readonly string[]) {
  const tx = image.begin(who);
  const oids = texts.map((text) => {
    const oid = tx.create([[OWNER_SLOT, v(owner)]]);
    tx.setSlot(oid, MEMORY_SLOT, v({ text, at: 'now' }));
    return oid;
  });
  await image.commit(tx);
  return oids;
}

/** A unit vector of four dimensions, along `x`, `y`, `z`, `w` as given. */
function unit(...parts: number[]): Float32Array {
  const length = Math.hypot(...parts);
  return Float32Array.from(parts, (p) => p / length);
}

const nearestTexts = async (image: Image, owner: string, vector: Float32Array, limit = 10) =>
  (await image.nearestMemories(owner, model, vector, limit)).map((m) => m.text);

describe.each(IMAGE_KINDS)('memory vectors on %s', (kind) => {
  it("ranks only the owner's live memories by cosine, and keeps none for another's", async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const [tea, cat, sail] = await memoriesOf(image, ann, ['I prefer tea', 'My cat', 'I sail']);
      const [bobs] = await memoriesOf(image, bob, ['I drink tea all day']);
      expect(await image.storeMemoryVector(ann, tea!, model, unit(1, 0, 0, 0))).toBe(true);
      expect(await image.storeMemoryVector(ann, cat!, model, unit(0, 1, 0, 0))).toBe(true);
      expect(await image.storeMemoryVector(ann, sail!, model, unit(1, 1, 0, 0))).toBe(true);
      expect(await image.storeMemoryVector(bob, bobs!, model, unit(1, 0, 0, 0))).toBe(true);
      // Nobody keeps a vector for a memory that is not theirs.
      expect(await image.storeMemoryVector(bob, tea!, model, unit(0, 0, 1, 0))).toBe(false);

      expect(await nearestTexts(image, ann, unit(1, 0.1, 0, 0))).toEqual([
        'I prefer tea',
        'I sail',
        'My cat',
      ]);
      expect(await nearestTexts(image, ann, unit(1, 0.1, 0, 0), 1)).toEqual(['I prefer tea']);
      // Unrelated (orthogonal) memories are not near at all; another model's vectors don't count.
      expect(await nearestTexts(image, ann, unit(0, 0, 0, 1))).toEqual([]);
      expect(
        await image.nearestMemories(ann, 'other.gguf@000000000000', unit(1, 0, 0, 0), 10),
      ).toEqual([]);
      expect(await nearestTexts(image, bob, unit(1, 0, 0, 0))).toEqual(['I drink tea all day']);
      expect(await nearestTexts(image, 'console:nobody', unit(1, 0, 0, 0))).toEqual([]);
      expect(await image.memoriesWithoutVector(ann, model, 10)).toEqual([]);
      expect(
        (await image.memoriesWithoutVector(ann, 'other.gguf@0', 10)).map((m) => m.oid),
      ).toEqual([sail, cat, tea]);
    });
  });

  it('deletes a vector with its memory: forget, undo of the keeping, collect; an undone forget needs a new one', async () => {
    const location = await freshImageLocation(kind);
    let left: number[] = [];
    await withImage(location, async (image) => {
      const [kept, loose, undone] = await memoriesOf(image, ann, ['kept', 'loose', 'undone']);
      const root = image.begin(who);
      root.setSlot(0, 'kept', v(ref(kept!)));
      root.setSlot(0, 'undone', v(ref(undone!)));
      await image.commit(root);
      for (const oid of [kept!, loose!, undone!])
        await image.storeMemoryVector(ann, oid, model, unit(1, 0, 0, 0));
      const vectorless = async () =>
        (await image.memoriesWithoutVector(ann, model, 10)).map((m) => m.text);

      const forget = image.begin(who);
      forget.removeSlot(kept!, MEMORY_SLOT);
      const forgetTx = (await image.commit(forget))!;
      expect((await nearestTexts(image, ann, unit(1, 0, 0, 0))).sort()).toEqual([
        'loose',
        'undone',
      ]);
      // A forget that comes before the vector is stored leaves no vector behind.
      expect(await image.storeMemoryVector(ann, kept!, model, unit(1, 0, 0, 0))).toBe(false);

      const undo = await image.prepareUndo(who, forgetTx);
      if (undo.tx === undefined) throw new Error(`undo refused: ${JSON.stringify(undo)}`);
      await image.commit(undo.tx);
      // Back, and without a vector until recall makes it one again.
      expect(await vectorless()).toEqual(['kept']);
      expect(await image.storeMemoryVector(ann, kept!, model, unit(1, 0, 0, 0))).toBe(true);
      expect(await vectorless()).toEqual([]);

      await image.collect();
      expect((await nearestTexts(image, ann, unit(1, 0, 0, 0))).sort()).toEqual(['kept', 'undone']);

      const unkeep = image.begin(who);
      unkeep.removeSlot(undone!, MEMORY_SLOT);
      await image.commit(unkeep);
      expect(await nearestTexts(image, ann, unit(1, 0, 0, 0))).toEqual(['kept']);
      expect(await image.storeMemoryVector(ann, undone!, model, unit(1, 0, 0, 0))).toBe(false);
      left = [kept!];
    });
    // Gone from the table, not only from the answers.
    const rows = await withDatabase(location, (db) =>
      sql<{ oid: number }>`SELECT oid FROM memory_vectors`.execute(db),
    );
    expect(rows.rows.map((r) => Number(r.oid))).toEqual(left);
  });
});
