/** Serving one send on a chat platform: progress while working, then the reply in chunks. */
import { textReply } from '../../core/protocol.ts';
import type { BotService, Reply, ReplyEvents, Send } from '../../core/protocol.ts';
import { chunkMarkdown } from './chunk.ts';
import type { Logger } from './front-end.ts';
import { Throttle } from './throttle.ts';

/** Typing indicators expire after about 10 s on Discord; renew a little before. */
const TYPING_REPEAT_MS = 8_000;

/** Where and how one conversation's reply is written. `M` is a posted message's handle. */
export interface ReplyTarget<M> {
  /** The most characters one message may hold. */
  readonly maxLength: number;
  /** The least time between two edits of a streamed message. */
  readonly streamIntervalMs: number;
  /** The final reply as one markdown string. */
  render(reply: Reply): string;
  /** A partial reply (or a status line) as markdown. */
  renderPartial(textSoFar: string): string;
  /** Posts a new message in the conversation (the first one quotes the user's message). */
  post(text: string): Promise<M>;
  /** Replaces a posted message's text; without it, partial replies are not shown. */
  edit?(message: M, text: string): Promise<void>;
  /** Shows "typing…"; without it, status lines are shown as a message instead. */
  typing?(): Promise<void>;
}

/** What the user sees when the core itself threw (it should answer with an error reply). */
const FAILED = textReply('error', 'Sorry, something went wrong while answering that.');

/**
 * Sends `send` to the bot and writes the reply to `target`: a typing indicator (or the status
 * line) while the core works, a message edited in place as a persona reply streams in, and
 * finally the full reply, split into as many messages as it needs. Returns whether it
 * answered: a silent reply (the place's reply policy leaves the message alone) posts nothing.
 */
export async function answer<M>(
  bot: BotService,
  send: Send,
  target: ReplyTarget<M>,
  log: Logger,
): Promise<boolean> {
  let streamed: M | undefined;
  let streaming = false;
  const warn = (what: string) => (error: unknown) =>
    log.warn(`${what} failed`, { error: error instanceof Error ? error.message : String(error) });

  const show = new Throttle<string>(
    async (text) => {
      const preview = chunkMarkdown(text, target.maxLength)[0] ?? text;
      if (streamed === undefined) streamed = await target.post(preview);
      else await target.edit?.(streamed, preview);
    },
    target.streamIntervalMs,
    warn('stream update'),
  );

  let typingTimer: ReturnType<typeof setInterval> | undefined;
  const typing = (): void => {
    void target.typing?.().catch(warn('typing indicator'));
  };
  const events: ReplyEvents = {
    status(text) {
      if (target.typing === undefined) {
        if (!streaming && target.edit !== undefined) show.push(target.renderPartial(`_${text}_`));
      } else if (typingTimer === undefined) {
        typing();
        typingTimer = setInterval(typing, TYPING_REPEAT_MS);
      }
    },
    partial(textSoFar) {
      streaming = true;
      if (target.edit !== undefined) show.push(target.renderPartial(textSoFar));
    },
  };

  let reply: Reply;
  try {
    reply = await bot.handle(send, events);
  } catch (error) {
    warn('bot.handle')(error);
    reply = FAILED;
  } finally {
    clearInterval(typingTimer);
    await show.close();
  }

  if (reply.silent === true) return false;
  const chunks = chunkMarkdown(target.render(reply), target.maxLength);
  let next = 0;
  if (streamed !== undefined && target.edit !== undefined) {
    await target.edit(streamed, chunks[0]!);
    next = 1;
  }
  for (; next < chunks.length; next++) await target.post(chunks[next]!);
  return true;
}
