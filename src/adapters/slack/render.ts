/** How replies look on Slack. */
import type { Reply } from '../../core/protocol.ts';
import { renderReply } from '../chat/markdown.ts';

/** Slack truncates message text past about 4,000 characters; keep a margin. */
export const SLACK_MAX_LENGTH = 3_900;
/** chat.update allows about 50 calls a minute: one every 1.2 s keeps under both limits. */
export const SLACK_EDIT_INTERVAL_MS = 1_200;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A reply as Slack mrkdwn (fences without a language, which Slack would print). */
export function renderSlack(reply: Reply): string {
  return renderReply(reply, { fenceLanguage: false, escape: escapeSlack });
}
