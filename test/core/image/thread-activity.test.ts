/** The threads spoken in lately, found through the turns' changes of the newest transactions only, on both stores. */
import { describe, expect, it } from 'vitest';
import type { Image } from '../../../src/core/image/index.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { v, withImage } from './support.ts';

/** `who` sets `slot` on `oid` in a transaction of their own. */
async function write(image: Image, who: string, oid: number, slot = 'turns'): Promise<void> {
  const tx = image.begin({ who, platform: 'discord' });
  tx.setSlot(oid, slot, v([who]));
  await image.commit(tx);
}

describe.each(IMAGE_KINDS)('Image.recentlySpokenIn on %s', (kind) => {
  it('answers the objects whose turns changed lately, the latest first, by whom, within the window', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const tx = image.begin({ who: 'system:test', platform: 'console' });
      const [a, b, c] = [tx.create(), tx.create(), tx.create()];
      await image.commit(tx);
      await write(image, 'discord:ann', a!);
      await write(image, 'discord:ben', b!);
      await write(image, 'discord:ann', c!);
      await write(image, 'discord:ben', a!);
      // Another slot is no turn.
      await write(image, 'discord:ann', b!, 'notes');

      const all = { window: 100, limit: 10 };
      expect(await image.recentlySpokenIn(all)).toEqual([a, c, b]);
      expect(await image.recentlySpokenIn({ ...all, limit: 2 })).toEqual([a, c]);
      expect(await image.recentlySpokenIn({ ...all, who: 'discord:ann' })).toEqual([c, a]);
      expect(await image.recentlySpokenIn({ ...all, who: 'discord:ben' })).toEqual([a, b]);
      expect(await image.recentlySpokenIn({ ...all, who: 'discord:cat' })).toEqual([]);
      // Only the newest transactions are looked at: the last three hold two turn changes.
      expect(await image.recentlySpokenIn({ window: 3, limit: 10 })).toEqual([a, c]);
      expect(await image.recentlySpokenIn({ window: 1, limit: 10 })).toEqual([]);
    });
  });
});
