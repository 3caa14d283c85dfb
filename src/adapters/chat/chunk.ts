/** Splitting long replies into platform-sized messages without breaking code blocks. */

const FENCE = /^\s*```/;
const CLOSE = '```';

/**
 * Splits markdown into pieces of at most `limit` characters, at line boundaries where it
 * can and word boundaries where a single line is too long. A code fence open at a split is
 * closed at the end of one piece and reopened (same language) at the start of the next, so
 * every piece renders on its own.
 */
export function chunkMarkdown(text: string, limit: number): string[] {
  const chunks: string[] = [];
  let lines: string[] = [];
  let size = 0;
  let content = 0; // lines added since the last flush, not counting a reopened fence
  let fence: string | undefined;

  const sep = (): number => (lines.length > 0 ? 1 : 0);
  const add = (line: string, isContent = true): void => {
    size += sep() + line.length;
    lines.push(line);
    if (isContent) content++;
  };
  const flush = (): void => {
    if (content === 0) return;
    chunks.push((fence === undefined ? lines : [...lines, CLOSE]).join('\n'));
    lines = [];
    size = 0;
    content = 0;
    if (fence !== undefined) add(fence, false);
  };
  // Room a line needs: itself, plus a closing fence if a fence is open after it.
  const fits = (line: string, openAfter: boolean): boolean =>
    size + sep() + line.length + (openAfter ? CLOSE.length + 1 : 0) <= limit;

  for (const line of text.split('\n')) {
    const isFence = FENCE.test(line);
    const openAfter = isFence ? fence === undefined : fence !== undefined;
    if (!fits(line, openAfter)) flush();
    let rest = line;
    while (!fits(rest, openAfter)) {
      const room = limit - size - sep() - (fence !== undefined ? CLOSE.length + 1 : 0);
      const space = rest.lastIndexOf(' ', room);
      const cut = space > 0 ? space : Math.max(1, room);
      add(rest.slice(0, cut));
      flush();
      rest = space > 0 ? rest.slice(cut + 1) : rest.slice(cut);
    }
    add(rest);
    if (isFence) fence = fence === undefined ? line.trim() : undefined;
  }
  if (fence !== undefined) {
    // The text itself left a fence open: close it so the last piece renders.
    fence = undefined;
    if (content > 0) add(CLOSE);
  }
  flush();
  return chunks;
}
