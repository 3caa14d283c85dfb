/** What the image suites share: a value slot, who commits, an image opened for one piece of work. */
import { Image } from '../../../src/core/image/index.ts';
import type { Slot, Value } from '../../../src/core/model/value.ts';

export const v = (value: Value): Slot => ({ kind: 'value', value });
export const who = { who: 'console:test', platform: 'console' };

/** Opens the image at `location`, runs `work` on it, and closes it whatever happens. */
export async function withImage<T>(
  location: string,
  work: (image: Image) => Promise<T> | T,
): Promise<T> {
  const image = await Image.open(location);
  try {
    return await work(image);
  } finally {
    await image.close();
  }
}

/** Commits `count` new objects with `n` set to 0, 1, …; returns their oids. */
export async function seed(image: Image, count = 2): Promise<number[]> {
  const tx = image.begin(who);
  const oids = Array.from({ length: count }, (_, i) => tx.create([['n', v(i)]]));
  await image.commit(tx);
  return oids;
}
