import { describe, expect, it } from 'vitest';
import { chunkMarkdown } from '../../../src/adapters/chat/chunk.ts';
import { fencesBalanced } from '../../support/test-bot.ts';

/** The text back from its chunks: fences added at splits removed, pieces rejoined. */
function rejoin(chunks: string[]): string {
  return chunks
    .map((chunk, i) => {
      let lines = chunk.split('\n');
      if (i > 0 && lines[0]!.startsWith('```') && chunks[i - 1]!.endsWith('\n```'))
        lines = lines.slice(1);
      if (i < chunks.length - 1 && chunk.endsWith('\n```') && chunks[i + 1]!.startsWith('```'))
        lines = lines.slice(0, -1);
      return lines.join('\n');
    })
    .join('\n');
}

describe('chunkMarkdown', () => {
  it('keeps a short text whole', () => {
    expect(chunkMarkdown('hello\nworld', 2000)).toEqual(['hello\nworld']);
  });

  it('splits at line boundaries', () => {
    const text = ['aaaa', 'bbbb', 'cccc', 'dddd'].join('\n');
    expect(chunkMarkdown(text, 10)).toEqual(['aaaa\nbbbb', 'cccc\ndddd']);
  });

  it('splits an over-long line at word boundaries', () => {
    const chunks = chunkMarkdown('one two three four five six', 10);
    expect(chunks).toEqual(['one two', 'three four', 'five six']);
  });

  it('hard-splits a word longer than the limit', () => {
    expect(chunkMarkdown('x'.repeat(25), 10)).toEqual([
      'x'.repeat(10),
      'x'.repeat(10),
      'x'.repeat(5),
    ]);
  });

  it('closes and reopens a code fence, with its language, at a split', () => {
    const code = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    const text = `intro\n\`\`\`ts\n${code}\n\`\`\`\noutro`;
    const chunks = chunkMarkdown(text, 40);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(40);
      expect(fencesBalanced(chunk)).toBe(true);
    }
    expect(chunks[1]!.startsWith('```ts\n')).toBe(true);
    expect(rejoin(chunks)).toBe(text);
  });

  it('closes a fence the text left open', () => {
    expect(chunkMarkdown('```\ncode', 100)).toEqual(['```\ncode\n```']);
  });

  it('holds every limit and loses nothing on a large mixed text', () => {
    const parts: string[] = [];
    for (let i = 0; i < 60; i++) {
      parts.push(`Paragraph ${i} ` + 'word '.repeat(i * 7));
      if (i % 5 === 0)
        parts.push(
          '```py',
          ...Array.from({ length: i }, (_, j) => `x${j} = ${'y'.repeat(j)}`),
          '```',
        );
    }
    const text = parts.join('\n');
    for (const limit of [200, 2000, 3900]) {
      const chunks = chunkMarkdown(text, limit);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(limit);
        expect(fencesBalanced(chunk)).toBe(true);
      }
      expect(rejoin(chunks).replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    }
  });
});
