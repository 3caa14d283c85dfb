/** A Slack message or app mention in, a threaded reply out. */
import type { Reach, Send } from '../../core/protocol.ts';
import { answer } from '../chat/answer.ts';
import type { ReplyTarget } from '../chat/answer.ts';
import { checkAccess, NOT_ALLOWED_TEXT } from '../chat/permissions.ts';
import type { SlackClient, SlackContext } from './context.ts';
import { withRateLimitRetry } from './rate-limit.ts';
import { escapeSlack, renderSlack, SLACK_EDIT_INTERVAL_MS, SLACK_MAX_LENGTH } from './render.ts';
import { administers, slackPerson } from './people.ts';

/** The fields of a `message` or `app_mention` event this front end reads. */
export interface SlackMessageEvent {
  readonly type: string;
  readonly subtype?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly text?: string;
  readonly channel: string;
  readonly channel_type?: string;
  readonly ts: string;
  readonly thread_ts?: string;
}

/** One delivery of an event. */
export interface Delivery {
  readonly event: SlackMessageEvent;
  /** The envelope's `event_id`: Slack repeats it when it retries a delivery. */
  readonly eventId: string | undefined;
  /** `x-slack-retry-num`: how many times Slack has retried this delivery; unset the first time. */
  readonly retryNum?: number | undefined;
  readonly botUserId: string | undefined;
  readonly client: SlackClient;
}

const USER_MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;

/**
 * Handles one delivery. Slack sends both `message` and `app_mention` for a mention in a
 * channel the bot is in (two event ids, one message), and repeats a delivery it thinks
 * failed, to any replica: each message is answered once, by the process that first claims
 * its channel+ts in the image's ledger. Only people the access rules let in are claimed.
 * Whether the bot answers a message nobody addressed to it is the place's reply policy, kept
 * in the image: the message goes to the bot with how it reached it (`reach`) and where it
 * was said (`places`), and a silent reply posts nothing.
 */
export async function onMessage(ctx: SlackContext, delivery: Delivery): Promise<void> {
  const { event, botUserId, client } = delivery;
  if (event.subtype !== undefined || event.bot_id !== undefined || event.user === undefined) return;
  if (event.user === botUserId) return;
  const text = event.text ?? '';
  const dm = event.channel_type === 'im' || event.channel.startsWith('D');
  const mentioned =
    event.type === 'app_mention' || (botUserId !== undefined && text.includes(`<@${botUserId}`));
  const inThread = event.thread_ts !== undefined;
  const reach: Reach = dm
    ? 'direct'
    : mentioned
      ? 'mention'
      : inThread && (await ctx.conversationThreads.has(`${event.channel}:${event.thread_ts}`))
        ? 'thread'
        : ctx.listenChannels.has(event.channel)
          ? 'listen'
          : 'overheard';
  const addressed = reach === 'direct' || reach === 'mention' || reach === 'thread';

  // A top-level channel message starts a thread; a top-level DM is answered in the DM.
  const thread = event.thread_ts ?? (dm ? undefined : event.ts);
  const access = checkAccess(ctx.access, {
    userId: event.user,
    roleIds: [],
    channelId: dm ? undefined : event.channel,
  });
  const target = threadTarget(client, event.channel, thread, ctx);
  if (!access.allowed) {
    // Refused before the ledger, so a refused person writes nothing to the image. The one
    // refusal goes with the first delivery of the event that carries it: a channel mention
    // arrives as `message` and `app_mention`, and only the latter answers.
    const carriesIt = event.type === 'app_mention' || dm || !mentioned;
    if (addressed && carriesIt && delivery.retryNum === undefined)
      await target.post(NOT_ALLOWED_TEXT);
    return;
  }
  if (!(await ctx.ledger.firstDelivery('slack', `message:${event.channel}:${event.ts}`))) {
    if (delivery.retryNum !== undefined)
      ctx.log.info('slack: retried event already answered', {
        eventId: delivery.eventId,
        retry: delivery.retryNum,
      });
    return;
  }
  const mentions = [...text.matchAll(USER_MENTION)]
    .map((m) => m[1]!)
    .filter((id) => id !== botUserId);
  const person = await slackPerson(client, ctx.directory, event.user, ctx.log);
  const placeAdmin =
    !dm && (await administers(client, ctx.directory, person, event.user, event.channel, ctx.log));
  const send: Send = {
    platform: 'slack',
    sender: {
      id: event.user,
      name: person.name,
      isAdmin: access.isAdmin,
      ...(placeAdmin ? { isPlaceAdmin: true } : {}),
    },
    channel: event.channel,
    thread,
    text:
      botUserId === undefined
        ? text.trim()
        : text.replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g'), '').trim(),
    mentions: [...new Set(mentions)],
    adminChannel: access.adminChannel,
    messageId: event.ts,
    reach,
    places: dm
      ? []
      : [
          ...(inThread
            ? [{ kind: 'thread' as const, id: `${event.channel}:${event.thread_ts}` }]
            : []),
          { kind: 'channel' as const, id: event.channel },
        ],
  };
  const answered = await answer(ctx.bot, send, target, ctx.log);
  if (answered && thread !== undefined)
    await ctx.conversationThreads.remember(`${event.channel}:${thread}`);
}

/** Posts into `thread` (or the channel), editing with chat.update, backing off on 429. */
function threadTarget(
  client: SlackClient,
  channel: string,
  thread: string | undefined,
  ctx: SlackContext,
): ReplyTarget<string> {
  return {
    maxLength: SLACK_MAX_LENGTH,
    streamIntervalMs: SLACK_EDIT_INTERVAL_MS,
    render: renderSlack,
    renderPartial: escapeSlack,
    async post(text) {
      const posted = await withRateLimitRetry(
        () =>
          client.chat.postMessage({
            channel,
            text,
            ...(thread === undefined ? {} : { thread_ts: thread }),
          }),
        ctx.log,
      );
      return posted.ts ?? '';
    },
    async edit(ts, text) {
      await ctx.updates.take();
      await withRateLimitRetry(() => client.chat.update({ channel, ts, text }), ctx.log);
    },
  };
}
