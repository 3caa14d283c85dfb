/**
 * The platform-neutral contract between front ends and the core.
 *
 * A front end turns a platform message into a {@link Send} and renders the {@link Reply} it
 * gets back. It never sees the image or the model; the core never knows which platform a
 * send came from beyond the `platform` label it records in history.
 */

/** Which front end a send arrived through. */
export type Platform = 'console' | 'discord' | 'slack';

/** Who sent a message. */
export interface Sender {
  /** Stable platform id (a Discord snowflake, a Slack user id, the OS user name). */
  readonly id: string;
  /** Display name, for history and replies. */
  readonly name: string;
  /** Whether this user is a configured admin. */
  readonly isAdmin: boolean;
  /**
   * Whether the platform says this user administers the place the message came from
   * (Discord: Manage Channels or Manage Server there; Slack: a workspace admin or owner, or
   * the channel's creator): such a user may bind a persona and a reply policy there.
   */
  readonly isPlaceAdmin?: boolean;
}

/**
 * A place a message was said in, where a persona and a reply policy can be bound: a thread,
 * a channel, or a Discord category. Ids are the platform's.
 */
export interface Place {
  readonly kind: 'thread' | 'channel' | 'category';
  readonly id: string;
}

/**
 * How a message reached the bot, for the place's reply policy: `direct` (a DM, the
 * console), `mention` (the bot was mentioned), `thread` (a thread the bot has answered in),
 * `listen` (a channel the operator listens in: BATOS's listen-channel settings) or
 * `overheard` (none of these: said in a channel the bot is in).
 */
export type Reach = 'direct' | 'mention' | 'thread' | 'listen' | 'overheard';

/** One incoming message, as every front end describes it. */
export interface Send {
  readonly platform: Platform;
  readonly sender: Sender;
  /** Channel (or DM) id. */
  readonly channel: string;
  /** Thread id where the platform has threads; a thread is one conversation. */
  readonly thread?: string;
  /** The message text with the bot's own mention removed. */
  readonly text: string;
  /** Ids of users mentioned in the message, other than the bot. */
  readonly mentions: readonly string[];
  /** Whether the message came through the configured admin channel. */
  readonly adminChannel: boolean;
  /** Platform message id, so the reply can quote it and history can name it. */
  readonly messageId?: string;
  /** How the message reached the bot; absent counts as `direct` (the console). */
  readonly reach?: Reach;
  /**
   * The places the message was said in, nearest first (the thread, its channel, the
   * channel's category); none in a DM, where no binding applies.
   */
  readonly places?: readonly Place[];
}

/** One piece of a reply: prose, or a block of code that front ends render verbatim. */
export type ReplyPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly code: string; readonly language?: string };

/** What the core answers to a send. */
export interface Reply {
  /** `ok`: done; `error`: failed and nothing changed; `refused`: not allowed or rate-limited. */
  readonly status: 'ok' | 'error' | 'refused';
  readonly parts: readonly ReplyPart[];
  /** The persona that spoke, when one did. */
  readonly persona?: string;
  /** The transaction this send committed, when it changed the image. */
  readonly tx?: number;
  /**
   * The message was not for the bot (the place's reply policy, see {@link Reach}): front
   * ends post nothing.
   */
  readonly silent?: true;
}

/** Progress a front end may show while a send is being served. All optional. */
export interface ReplyEvents {
  /** A short status line ("genesis does not understand display_yourself — writing it…"). */
  status?(text: string): void;
  /** The reply so far, for streamed persona answers; the final reply still comes back. */
  partial?(textSoFar: string): void;
  /**
   * Aborts the persona's generation in flight (the console's Ctrl+C): the turn then changes
   * nothing and answers that it was cancelled.
   */
  readonly signal?: AbortSignal;
}

/** The one thing a front end talks to. */
export interface BotService {
  handle(send: Send, events?: ReplyEvents): Promise<Reply>;
}

/** Whether only the sender and the bot see `send` and its reply: a DM, or the console. */
export function isDirect(send: Send): boolean {
  return send.platform === 'console' || send.reach === 'direct';
}

export function textReply(
  status: Reply['status'],
  text: string,
  extra: Partial<Reply> = {},
): Reply {
  return { status, parts: [{ kind: 'text', text }], ...extra };
}

/**
 * What front ends remember in the image rather than in their own memory, so that every BAT
 * OS process over one image (Slack replicas, Discord shards) and every restart agree.
 */
export interface FrontEndLedger {
  /**
   * Claims a platform event (Slack's `event_id`, a retried delivery) for this process: true
   * for the first claim of `eventId` across all processes, false for every later one.
   * Claims are forgotten after an hour, longer than any platform retries.
   */
  firstDelivery(platform: Platform, eventId: string): Promise<boolean>;
  /** Records that the bot answered in `thread`, so follow-ups there need no mention. */
  rememberThread(platform: Platform, thread: string): Promise<void>;
  /** Whether the bot has answered in `thread`, in any process, before any restart. */
  answeredIn(platform: Platform, thread: string): Promise<boolean>;
}
