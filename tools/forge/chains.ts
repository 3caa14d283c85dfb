/**
 * Chains: the token sequences the forged model produces. In a bigram model each token has
 * exactly one successor, so no token may appear twice in any chain; splitting merges a
 * repeated word with the next one until the piece is new.
 */
import { toPiece } from './vocabulary.ts';

/** Splits text into pieces (`▁` for spaces), none of which is in `used`; adds them to it. */
export function splitIntoUniquePieces(text: string, used: Set<string>): string[] {
  const words = (text.match(/ ?[^ ]+/g) ?? []).map(toPiece);
  const pieces: string[] = [];
  let i = 0;
  while (i < words.length) {
    let piece = words[i++]!;
    while (used.has(piece) && i < words.length) piece += words[i++]!;
    if (used.has(piece))
      throw new Error(`cannot make a unique piece at the end of ${JSON.stringify(text)}`);
    used.add(piece);
    pieces.push(piece);
  }
  return pieces;
}
