/**
 * Server-sent events, as llama-server (and any OpenAI-compatible server) streams a reply:
 * events separated by a blank line, each carrying `data:` lines.
 */

/** The `data` of each event in `body`, in order; comments and other fields are skipped. */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = eventData(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (data !== undefined) yield data;
    }
  }
  const last = eventData(buffer + decoder.decode());
  if (last !== undefined) yield last;
}

/** The joined `data:` lines of one event, or undefined when it has none. */
function eventData(event: string): string | undefined {
  const lines = event
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
  return lines.length === 0 ? undefined : lines.join('\n');
}
