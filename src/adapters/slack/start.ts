/** Starting and stopping the Slack front end (@slack/bolt), over HTTP or Socket Mode. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, webApi } from '@slack/bolt';
import { OperatorError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { BotService, FrontEndLedger } from '../../core/protocol.ts';
import type { FrontEnd, Logger } from '../chat/front-end.ts';
import { chunkMarkdown } from '../chat/chunk.ts';
import { ConversationThreads } from '../chat/conversation-threads.ts';
import { redact, redactedMessage } from '../chat/redact.ts';
import {
  LOGIN_CHECK_TIMEOUT_MS,
  networkCause,
  withinTimeout,
  type LoginCheck,
} from '../chat/login-check.ts';
import { boltLogger } from './bolt-logger.ts';
import { slackSecrets } from './config.ts';
import type { SlackConfig } from './config.ts';
import type { SlackContext } from './context.ts';
import { CallBudget } from './call-budget.ts';
import { refuseFutureTimestamps } from './future-timestamps.ts';
import { onCommand, SLASH_COMMAND } from './on-command.ts';
import { onMessage } from './on-message.ts';
import { slackDirectory } from './people.ts';
import type { SlackMessageEvent } from './on-message.ts';
import { renderSlack, SLACK_MAX_LENGTH } from './render.ts';

/** Slack allows chat.update about 50 times a minute (Tier 3); stay a little below. */
const UPDATES_PER_MINUTE = 45;

/** The running Slack front end. */
export interface SlackFrontEnd extends FrontEnd {
  /** HTTP mode: the port the Events API receiver listens on; `undefined` in Socket Mode. */
  readonly port: number | undefined;
}

const SLACK_REJECTS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
]);

/**
 * Checks the tokens as Slack sees them, without retries and within `timeoutMs`: the bot
 * token with `auth.test`, and for Socket Mode the app token with `apps.connections.open`.
 * Ok, or one line naming the variable to fix.
 */
export async function checkSlackTokens(
  config: SlackConfig,
  timeoutMs = LOGIN_CHECK_TIMEOUT_MS,
): Promise<LoginCheck> {
  const secrets = slackSecrets(config);
  const where = config.apiUrl ?? 'slack.com';
  const call = async (
    variable: string,
    token: string,
    method: (client: webApi.WebClient) => Promise<unknown>,
    remedy: string,
  ): Promise<LoginCheck | undefined> => {
    const client = new webApi.WebClient(token, {
      slackApiUrl: config.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      // The one line this check returns says it all; the client's own warnings would repeat it.
      logger: boltLogger(silentLogger, secrets),
    });
    try {
      await withinTimeout(method(client), timeoutMs);
      return undefined;
    } catch (error) {
      const slackError = (error as { data?: { error?: unknown } }).data?.error;
      if (typeof slackError === 'string' && SLACK_REJECTS.has(slackError))
        return {
          ok: false,
          variable,
          problem: `${variable} was rejected by Slack (${slackError}); ${remedy}.`,
          unreachable: false,
        };
      const cause = networkCause(error) ?? redactedMessage(error, secrets);
      return {
        ok: false,
        variable,
        problem: `${variable} could not be checked: Slack (${where}) did not answer (${redact(cause, secrets)}); check the network${config.apiUrl === undefined ? '' : ' and SLACK_API_URL'}.`,
        unreachable: true,
      };
    }
  };
  const bot = await call(
    'SLACK_BOT_TOKEN',
    config.botToken,
    (client) => client.auth.test(),
    'copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, after installing the app',
  );
  if (bot !== undefined) return bot;
  if (config.appToken !== undefined) {
    const app = await call(
      'SLACK_APP_TOKEN',
      config.appToken,
      (client) => client.apps.connections.open(),
      'create an app-level token (xapp-…) with connections:write under Basic Information, and switch Socket Mode on',
    );
    if (app !== undefined) return app;
  }
  return {
    ok: true,
    detail: `Slack: bot token accepted${config.appToken === undefined ? '' : ', Socket Mode app token accepted'}`,
  };
}

/**
 * Starts a Bolt app: Socket Mode when `appToken` is set, otherwise an HTTP receiver on
 * `host:port` whose signatures Bolt verifies and whose future-dated requests we refuse.
 * Answers app mentions, DMs, listen channels and `/batos` until `stop()`. Which messages are
 * answered and the threads answered in are kept in `ledger` (the image), so replicas behind
 * a load balancer answer each message once, and follow-ups survive restarts.
 */
export async function startSlack(
  config: SlackConfig,
  bot: BotService,
  log: Logger,
  { ledger }: { ledger: FrontEndLedger },
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
    ledger,
    directory: slackDirectory(),
    updates: new CallBudget(UPDATES_PER_MINUTE, 60_000),
    conversationThreads: new ConversationThreads(ledger, 'slack'),
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
          retryNum: context.retryNum,
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
    throw new OperatorError(
      'login-failed',
      `Slack start failed: ${redactedMessage(error, secrets)}`,
    );
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
