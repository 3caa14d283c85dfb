/** How replies look on Discord. */
import type { Reply } from '../../core/protocol.ts';
import { renderReply } from '../chat/markdown.ts';

/** Discord's limit for one message's content. */
export const DISCORD_MAX_LENGTH = 2_000;
/** Discord tolerates about one edit a second per message. */
export const DISCORD_EDIT_INTERVAL_MS = 1_000;

/** A reply as Discord markdown (fences keep their language; nothing needs escaping). */
export function renderDiscord(reply: Reply): string {
  return renderReply(reply, { fenceLanguage: true, escape: (text) => text });
}

/** How every Discord reply target renders and paces a reply. */
export const DISCORD_REPLY_FORMAT = {
  maxLength: DISCORD_MAX_LENGTH,
  streamIntervalMs: DISCORD_EDIT_INTERVAL_MS,
  render: renderDiscord,
  renderPartial: (text: string) => text,
} as const;
