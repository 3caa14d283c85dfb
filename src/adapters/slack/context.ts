/** What the Slack event handlers share. */
import type { webApi } from '@slack/bolt';
import type { BotService, FrontEndLedger } from '../../core/protocol.ts';
import type { ConversationThreads } from '../chat/conversation-threads.ts';
import type { Logger } from '../chat/front-end.ts';
import type { AccessPolicy } from '../chat/permissions.ts';
import type { CallBudget } from './call-budget.ts';
import type { SlackDirectory } from './people.ts';

/** The running front end's state, as its handlers see it. */
export interface SlackContext {
  readonly bot: BotService;
  readonly log: Logger;
  readonly access: AccessPolicy;
  readonly listenChannels: ReadonlySet<string>;
  /** The image's ledger: which messages some BAT OS process has already claimed. */
  readonly ledger: FrontEndLedger;
  /** People (display names, workspace admins) and channel creators, looked up once. */
  readonly directory: SlackDirectory;
  /** chat.update calls left this minute, shared by every streamed reply. */
  readonly updates: CallBudget;
  /**
   * Threads (`channel:thread_ts`) the bot has answered in, in any process and before any
   * restart: a thread is a conversation, so follow-ups there need no mention.
   */
  readonly conversationThreads: ConversationThreads;
}

/** The Web API client a handler was given by Bolt. */
export type SlackClient = webApi.WebClient;
