/** What the Discord event handlers share. */
import type { BotService } from '../../core/protocol.ts';
import type { ConversationThreads } from '../chat/conversation-threads.ts';
import type { Logger } from '../chat/front-end.ts';
import type { AccessPolicy } from '../chat/permissions.ts';

/** The running front end's state, as its handlers see it. */
export interface DiscordContext {
  readonly bot: BotService;
  readonly log: Logger;
  readonly access: AccessPolicy;
  readonly listenChannels: ReadonlySet<string>;
  /** The bot's own user id, known once the client is ready. */
  readonly botUserId: string;
  /**
   * Threads the bot has answered in, in any process and before any restart: a thread is a
   * conversation, so follow-ups there need no mention.
   */
  readonly conversationThreads: ConversationThreads;
}
