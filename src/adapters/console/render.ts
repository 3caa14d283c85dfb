import type { Reply } from '../../core/protocol.ts';

const style = {
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
};

/** Prose as it is; code blocks indented rather than fenced, since a terminal shows no Markdown. */
function plainText(reply: Reply): string {
  return reply.parts
    .map((part) => (part.kind === 'text' ? part.text : part.code.replace(/^/gm, '  ')))
    .join('\n');
}

/** A reply as the console prints it; colours only on a terminal. */
export function renderReply(reply: Reply, color: boolean): string {
  const text = plainText(reply);
  const tx = reply.tx === undefined ? '' : `  (tx ${reply.tx})`;
  const persona = reply.persona === undefined ? '' : `${reply.persona}: `;
  if (!color) return reply.status === 'ok' ? `${persona}${text}${tx}` : `${reply.status}: ${text}`;
  if (reply.status === 'error') return style.red(`✗ ${text}`);
  if (reply.status === 'refused') return style.yellow(`⊘ ${text}`);
  return `${persona}${text}${style.dim(tx)}`;
}

/** A status line ("writing it…"), dimmed on a terminal. */
export function renderStatus(text: string, color: boolean): string {
  return color ? style.dim(`  ${text}`) : `  ${text}`;
}

/** A persona's reply while it is still being generated: dimmed, replaced when it ends. */
export function renderDraft(textSoFar: string): string {
  return style.dim(textSoFar);
}
