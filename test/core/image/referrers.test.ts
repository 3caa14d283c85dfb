/** The objects that refer to one (the browser's children are found among them), on both stores. */
import { describe, expect, it } from 'vitest';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { v, who, withImage } from './support.ts';

describe.each(IMAGE_KINDS)('Image.referrers on %s', (kind) => {
  it('finds the objects whose value slots refer to an object, in oid order, a page at a time', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const tx = image.begin(who);
      const target = tx.create([['n', v(0)]]);
      const other = tx.create([['n', v(1)]]);
      const direct = tx.create([['parent*', v({ $ref: target })]]);
      const none = tx.create([['parent*', v({ $ref: other })]]);
      const inList = tx.create([['friends', v([{ $ref: other }, { $ref: target }])]]);
      // A number equal to an oid is no reference to it.
      const digits = tx.create([['n', v(target)]]);
      await image.commit(tx);
      expect(await image.referrers(target, -1, 10)).toEqual([direct, inList]);
      expect(await image.referrers(target, -1, 1)).toEqual([direct]);
      expect(await image.referrers(target, direct, 10)).toEqual([inList]);
      expect(await image.referrers(other, -1, 10)).toEqual([none, inList]);
      expect(await image.referrers(digits, -1, 10)).toEqual([]);
    });
  });
});
