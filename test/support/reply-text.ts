import type { Reply } from '../../src/core/protocol.ts';

/** A reply as plain text, code blocks fenced: what tests compare. */
export function replyToPlainText(reply: Reply): string {
  return reply.parts
    .map((part) =>
      part.kind === 'text' ? part.text : '```' + (part.language ?? '') + '\n' + part.code + '\n```',
    )
    .join('\n');
}
