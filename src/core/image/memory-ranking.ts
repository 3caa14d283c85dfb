/**
 * Ranking one owner's memories against a message's words, in this process: BM25 with the
 * statistics of that owner's memories alone (how many they keep, how many of those hold a
 * word), so a word counts for as much as it tells their memories apart. SQLite's FTS5 `bm25()`
 * would count each word's rows across every owner's memories on every search, which for a
 * frequent word is most of the index (see `memory-search.ts`).
 */
/** BM25's term-frequency saturation and length normalization, the usual values (as FTS5's). */
const K1 = 1.2;
const B = 0.75;

/**
 * `word` as the memory index compares words: lower-case, without accents (as FTS5's
 * `unicode61 remove_diacritics 2` folds them).
 */
function folded(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

/** The words of a memory's text, folded, in order: runs of letters and digits. */
function memoryWords(text: string): string[] {
  return folded(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Up to `limit` of `candidates` that hold any of `terms` (as `searchTerms` gives them), best
 * first by BM25, newest (highest oid) first among equals. `memoryCount` is how many memories
 * the owner keeps in all; `candidates` must hold every one of them that holds a term, and
 * their lengths are weighed against the candidates' average (all the owner's memories when
 * the search read them all).
 */
export function rankMemories<M extends { readonly oid: number; readonly text: string }>(
  candidates: readonly M[],
  terms: readonly string[],
  memoryCount: number,
  limit: number,
): M[] {
  const wanted = [...new Set(terms.map(folded))];
  const counted = candidates.map((memory) => {
    const words = memoryWords(memory.text);
    const frequency = new Map<string, number>();
    for (const word of words) frequency.set(word, (frequency.get(word) ?? 0) + 1);
    return { memory, length: words.length, frequency };
  });
  const averageLength = counted.reduce((sum, c) => sum + c.length, 0) / (counted.length || 1);
  // Each word's weight: rarer among the owner's memories, heavier; never below zero.
  const weight = new Map(
    wanted.map((term) => {
      const holding = counted.filter((c) => c.frequency.has(term)).length;
      return [term, Math.log(1 + (memoryCount - holding + 0.5) / (holding + 0.5))];
    }),
  );
  return counted
    .map(({ memory, length, frequency }) => {
      const norm = K1 * (1 - B + (B * length) / (averageLength || 1));
      let score = 0;
      for (const [term, idf] of weight) {
        const tf = frequency.get(term) ?? 0;
        if (tf > 0) score += (idf * tf * (K1 + 1)) / (tf + norm);
      }
      return { memory, score };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || b.memory.oid - a.memory.oid)
    .slice(0, Math.max(0, limit))
    .map((c) => c.memory);
}
