/** Starting and stopping the Slack front end (@slack/bolt), over HTTP or Socket Mode. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';
import type { BotService } from '../../core/protocol.ts';
import type { FrontEnd, Logger } from '../chat/front-end.ts';
import { chunkMarkdown } from '../chat/chunk.ts';
import { ConversationThreads } from '../chat/conversation-threads.ts';
import { redactedMessage } from '../chat/redact.ts';
import { boltLogger } from './bolt-logger.ts';
import { slackSecrets } from './config.ts';
import type { SlackConfig } from './config.ts';
import type { SlackContext } from './context.ts';
import { CallBudget } from './call-budget.ts';
import { refuseFutureTimestamps } from './future-timestamps.ts';
import { onCommand, SLASH_COMMAND } from './on-command.ts';
import { onMessage } from './on-message.ts';
import type { SlackMessageEvent } from './on-message.ts';
import { RecentKeys } from './recent-keys.ts';
import { renderSlack, SLACK_MAX_LENGTH } from './render.ts';

/** Slack allows chat.update about 50 times a minute (Tier 3); stay a little below. */
const UPDATES_PER_MINUTE = 45;

/** The running Slack front end. */
export interface SlackFrontEnd extends FrontEnd {
  /** HTTP mode: the port the Events API receiver listens on; `undefined` in Socket Mode. */
  readonly port: number | undefined;
}

/**
 * Starts a Bolt app: Socket Mode when `appToken` is set, otherwise an HTTP receiver on
 * `host:port` whose signatures Bolt verifies and whose future-dated requests we refuse.
 * Answers app mentions, DMs, listen channels and `/batos` until `stop()`.
 */
export async function startSlack(
  config: SlackConfig,
  bot: BotService,
  log: Logger,
): Promise<SlackFrontEnd> {
  const secrets = slackSecrets(config);
  const logger = boltLogger(log, secrets);
  const clientOptions = {
    slackApiUrl: config.apiUrl,
    // 429s come back to us, so streamed edits back off instead of queueing blindly.
    rejectRateLimitedCalls: true,
    ...(config.apiRetries === undefined ? {} : { retryConfig: { retries: config.apiRetries } }),
  };
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.appToken !== undefined) {
    app = new App({
      token: config.botToken,
      appToken: config.appToken,
      socketMode: true,
      clientOptions,
      logger,
    });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret ?? '',
      processBeforeResponse: config.processBeforeResponse,
      logger,
    });
    refuseFutureTimestamps(receiver, log);
    app = new App({ token: config.botToken, receiver, clientOptions, logger });
  }

  const ctx: SlackContext = {
    bot,
    log,
    access: config.access,
    listenChannels: config.listenChannels,
    seen: new RecentKeys(),
    names: new Map(),
    updates: new CallBudget(UPDATES_PER_MINUTE, 60_000),
    conversationThreads: new ConversationThreads(),
  };
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  // Handlers are awaited, so with processBeforeResponse the HTTP answer follows the reply.
  const serve = async (what: string, work: () => Promise<void>): Promise<void> => {
    if (stopping) return;
    const job = work().catch((error: unknown) =>
      log.error(`slack: ${what} failed`, { error: redactedMessage(error, secrets) }),
    );
    inFlight.add(job);
    await job;
    inFlight.delete(job);
  };

  for (const type of ['message', 'app_mention'] as const) {
    app.event(type, async ({ event, body, context, client }) =>
      serve(type, () =>
        onMessage(ctx, {
          event: event as unknown as SlackMessageEvent,
          eventId: body.event_id,
          botUserId: context.botUserId,
          client,
        }),
      ),
    );
  }
  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) =>
    serve('command', () => onCommand(ctx, { command, ack, respond, client })),
  );
  app.error(async (error) => {
    log.error('slack: unhandled error', { error: redactedMessage(error, secrets) });
  });

  let port: number | undefined;
  try {
    if (receiver === undefined) {
      await app.start();
    } else {
      const server = (await app.start({ port: config.port, host: config.host })) as Server;
      port = (server.address() as AddressInfo).port;
    }
  } catch (error) {
    throw new Error(`Slack start failed: ${redactedMessage(error, secrets)}`);
  }
  log.info('slack: started', { mode: receiver === undefined ? 'socket' : 'http', port });

  return {
    name: 'slack',
    port,
    async announce(target, reply) {
      for (const text of chunkMarkdown(renderSlack(reply), SLACK_MAX_LENGTH))
        await app.client.chat.postMessage({
          channel: target.channel,
          text,
          ...(target.thread === undefined ? {} : { thread_ts: target.thread }),
        });
    },
    async stop() {
      stopping = true;
      await Promise.allSettled(inFlight);
      await app.stop();
    },
  };
}
