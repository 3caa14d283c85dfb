import { describe, expect, it } from 'vitest';
import { rankMemories } from '../../../src/core/image/memory-ranking.ts';
import { searchTerms } from '../../../src/core/image/index.ts';

const ranked = (texts: readonly string[], message: string, limit = 10) =>
  rankMemories(
    texts.map((text, i) => ({ oid: i + 1, text })),
    searchTerms(message),
    texts.length,
    limit,
  ).map((m) => m.text);

describe("ranking an owner's memories against a message", () => {
  it('puts the rarer word among their memories, more of it and shorter memories first', () => {
    const memories = [
      'I like tea in the morning',
      'I like my bike',
      'I like cats',
      'I like Lisbon and tea and tea',
    ];
    // "like" is in all four: it weighs little; "tea" decides, and twice beats once.
    expect(ranked(memories, 'do I like tea?')).toEqual([
      'I like Lisbon and tea and tea',
      'I like tea in the morning',
      'I like cats',
      'I like my bike',
    ]);
    expect(ranked(memories, 'cats or bikes?')).toEqual(['I like cats']);
    expect(ranked(memories, 'what about Porto?')).toEqual([]);
    expect(ranked(memories, 'do I like tea?', 1)).toEqual(['I like Lisbon and tea and tea']);
  });

  it('folds case and accents on both sides, and breaks ties newest first', () => {
    expect(ranked(['Café au lait', 'un CAFÉ noir', 'tea'], 'cafe?')).toEqual([
      'un CAFÉ noir',
      'Café au lait',
    ]);
    expect(ranked(['Café au lait'], 'CAFÉ')).toEqual(['Café au lait']);
    expect(ranked(['Cafe\u0301 au lait'], 'café')).toEqual(['Cafe\u0301 au lait']);
  });
});
