import { describe, expect, it } from 'vitest';
import { MEMORY_SLOT } from '../../../src/core/image/index.ts';
import { OWNER_SCAN_LIMIT } from '../../../src/core/image/memory-search.ts';
import type { Image } from '../../../src/core/image/index.ts';
import { OWNER_SLOT } from '../../../src/core/model/object-access.ts';
import { ref } from '../../../src/core/model/value.ts';
import { v, who, withImage } from './support.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';

const ann = 'console:ann';
const bob = 'slack:T1:U"2\'x';

/** Commits a memory object of `owner`'s holding `text`; returns its oid. */
async function remember(image: Image, owner: string, text: string): Promise<number> {
  const tx = image.begin(who);
  const oid = tx.create([[OWNER_SLOT, v(owner)]]);
  tx.setSlot(oid, MEMORY_SLOT, v({ text, at: 'now' }));
  await image.commit(tx);
  return oid;
}

const texts = async (image: Image, owner: string, words: string) =>
  (await image.searchMemories(owner, words, 10)).map((m) => m.text);

describe.each(IMAGE_KINDS)('the memory index on %s', (kind) => {
  it("finds only the owner's memories that share words, best first", async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      await remember(image, ann, 'I like green tea, never coffee');
      await remember(image, ann, 'Tea, tea and then more tea');
      await remember(image, ann, 'I work on compilers');
      await remember(image, bob, 'I like green tea too');
      expect(await texts(image, ann, 'what tea should I drink?')).toEqual([
        'Tea, tea and then more tea',
        'I like green tea, never coffee',
      ]);
      expect(await texts(image, bob, 'what tea should I drink?')).toEqual(['I like green tea too']);
      expect(await texts(image, 'console:nobody', 'tea')).toEqual([]);
      // Only little words: nothing to search for. Quotes and operators are words, not syntax.
      expect(await texts(image, ann, 'what is it?')).toEqual([]);
      expect(await texts(image, ann, 'compilers" OR owner:* NOT "x')).toEqual([
        'I work on compilers',
      ]);
      expect(await image.searchMemories(ann, 'tea', 1)).toHaveLength(1);
    });
  });

  it('ranks the memories of an owner who keeps more than one search reads as those of any other', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      await remember(image, ann, 'Tea, tea and then more tea');
      const tx = image.begin(who);
      for (let i = 0; i < OWNER_SCAN_LIMIT; i += 1) {
        const oid = tx.create([[OWNER_SLOT, v(ann)]]);
        tx.setSlot(oid, MEMORY_SLOT, v({ text: `note ${i} about nothing`, at: 'now' }));
      }
      await image.commit(tx);
      await remember(image, ann, 'I like green tea, never coffee');
      await remember(image, bob, 'tea tea tea');
      expect(await texts(image, ann, 'what tea should I drink?')).toEqual([
        'Tea, tea and then more tea',
        'I like green tea, never coffee',
      ]);
      expect(await texts(image, ann, 'and 7?')).toEqual(['note 7 about nothing']);
    });
  });

  it('follows every write of the objects: a removed slot, an undo, a collect', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const kept = await remember(image, ann, 'I sail on Sundays');
      const loose = await remember(image, ann, 'I sail a small dinghy');
      const root = image.begin(who);
      root.setSlot(0, 'kept', v(ref(kept)));
      await image.commit(root);

      const forget = image.begin(who);
      forget.removeSlot(kept, MEMORY_SLOT);
      const forgetTx = (await image.commit(forget))!;
      expect(await texts(image, ann, 'sail')).toEqual(['I sail a small dinghy']);

      const undo = await image.prepareUndo(who, forgetTx);
      if (undo.tx === undefined) throw new Error(`undo refused: ${JSON.stringify(undo)}`);
      await image.commit(undo.tx);
      expect((await texts(image, ann, 'sail')).sort()).toEqual([
        'I sail a small dinghy',
        'I sail on Sundays',
      ]);

      // The loose one is unreachable from the root: collect deletes it, and its text with it.
      expect(image.read(loose)).toBeDefined();
      await image.collect();
      expect(await texts(image, ann, 'sail')).toEqual(['I sail on Sundays']);
    });
  });
});
