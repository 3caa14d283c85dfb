/** Rendering a platform-neutral Reply as chat markdown. */
import type { Reply } from '../../core/protocol.ts';

/** How one platform's markdown differs. */
export interface MarkdownStyle {
  /** Whether an opening fence may name the language (Discord yes, Slack no). */
  readonly fenceLanguage: boolean;
  /** Escapes prose and code for the platform (Slack needs &, <, > escaped). */
  readonly escape: (text: string) => string;
}

/** A reply as one markdown string: text parts as prose, code parts fenced. */
export function renderReply(reply: Reply, style: MarkdownStyle): string {
  const text = reply.parts
    .map((part) => {
      if (part.kind === 'text') return style.escape(part.text);
      const language = style.fenceLanguage ? (part.language ?? '') : '';
      return '```' + language + '\n' + style.escape(part.code) + '\n```';
    })
    .join('\n')
    .trim();
  // Platforms refuse empty messages; an empty reply still tells the user it is done.
  return text === '' ? '(no reply)' : text;
}
