import { describe, expect, it } from 'vitest';
import { trimHistory, trimHistoryInSteps } from '../../src/personas/index.ts';

const turns = (...texts: string[]) => texts.map((text, i) => ({ who: `u${i}`, text }));

describe('trimHistory', () => {
  it('keeps everything that fits', () => {
    const all = turns('a', 'b', 'c');
    expect(trimHistory(all, { maxTurns: 10, maxChars: 100 })).toEqual(all);
  });

  it('keeps the most recent turns, oldest first', () => {
    expect(trimHistory(turns('a', 'b', 'c', 'd'), { maxTurns: 2, maxChars: 100 })).toEqual([
      { who: 'u2', text: 'c' },
      { who: 'u3', text: 'd' },
    ]);
  });

  it('keeps within the character budget and leaves no hole', () => {
    const all = turns('x', 'long long long', 'abc', 'de');
    expect(trimHistory(all, { maxTurns: 10, maxChars: 6 }).map((t) => t.text)).toEqual([
      'abc',
      'de',
    ]);
  });

  it('counts a turn that exactly fills the budget', () => {
    expect(trimHistory(turns('abc', 'def'), { maxTurns: 10, maxChars: 6 })).toHaveLength(2);
  });

  it('always keeps the newest turn, cut from its start when too long', () => {
    const [only, ...rest] = trimHistory(turns('old', 'abcdefghij'), { maxTurns: 5, maxChars: 5 });
    expect(rest).toEqual([]);
    expect(only).toEqual({ who: 'u1', text: '…ghij' });
  });

  it('returns nothing for no turns or no turns allowed', () => {
    expect(trimHistory([], { maxTurns: 5, maxChars: 100 })).toEqual([]);
    expect(trimHistory(turns('a'), { maxTurns: 0, maxChars: 100 })).toEqual([]);
  });

  it('does not change its input', () => {
    const all = turns('old', 'abcdefghij');
    trimHistory(all, { maxTurns: 1, maxChars: 3 });
    expect(all[1]!.text).toBe('abcdefghij');
  });
});

describe('trimHistoryInSteps', () => {
  it('keeps everything while it fits, then drops to half the limits at once', () => {
    const limits = { maxTurns: 4, maxChars: 100 };
    expect(trimHistoryInSteps(turns('a', 'b', 'c', 'd'), limits)).toHaveLength(4);
    expect(trimHistoryInSteps(turns('a', 'b', 'c', 'd', 'e'), limits).map((t) => t.text)).toEqual([
      'd',
      'e',
    ]);
    expect(
      trimHistoryInSteps(turns('abcd', 'efgh', 'ij'), { maxTurns: 10, maxChars: 8 }).map(
        (t) => t.text,
      ),
    ).toEqual(['ij']);
  });

  it('keeps the same first turn while a thread grows back to the limits', () => {
    const limits = { maxTurns: 6, maxChars: 100 };
    let thread = turns('a', 'b', 'c', 'd', 'e', 'f');
    const firsts: string[] = [];
    for (const text of ['g', 'h', 'i', 'j', 'k', 'l']) {
      thread = trimHistoryInSteps([...thread, { who: 'u', text }], limits);
      firsts.push(thread[0]!.text);
    }
    expect(firsts).toEqual(['e', 'e', 'e', 'e', 'i', 'i']);
  });
});
