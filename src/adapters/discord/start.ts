/** Starting and stopping the Discord front end (discord.js v14). */
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import { OperatorError } from '../../core/errors.ts';
import type { BotService, FrontEndLedger } from '../../core/protocol.ts';
import type { FrontEnd, Logger } from '../chat/front-end.ts';
import { redact, redactedMessage } from '../chat/redact.ts';
import {
  LOGIN_CHECK_TIMEOUT_MS,
  networkCause,
  withinTimeout,
  type LoginCheck,
} from '../chat/login-check.ts';
import { chunkMarkdown } from '../chat/chunk.ts';
import { ConversationThreads } from '../chat/conversation-threads.ts';
import { slashCommands } from './commands.ts';
import { DISCORD_MAX_LENGTH, renderDiscord } from './render.ts';
import type { DiscordConfig } from './config.ts';
import type { DiscordContext } from './context.ts';
import { onInteraction } from './on-interaction.ts';
import { onMessage } from './on-message.ts';
import type { ShardIdentity } from './shard-identity.ts';

/** The gateway intents the bot needs; Message Content is privileged and must be switched on. */
const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

const GET_A_TOKEN = 'paste the bot token from the Developer Portal (Bot → Reset Token)';

/**
 * Logs in with `config.token` as the front end would and disconnects, within `timeoutMs`:
 * ok, or one line naming DISCORD_TOKEN (or DISCORD_API_URL when Discord is unreachable).
 */
export async function checkDiscordLogin(
  config: DiscordConfig,
  timeoutMs = LOGIN_CHECK_TIMEOUT_MS,
): Promise<LoginCheck> {
  const secrets = [config.token];
  const client = new Client({
    intents: INTENTS,
    ...(config.apiUrl === undefined ? {} : { rest: { api: config.apiUrl } }),
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await withinTimeout(
      client.login(config.token).then(() => ready),
      timeoutMs,
    );
    return { ok: true, detail: `Discord: logged in as ${client.user?.tag ?? 'the bot'}` };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const where = config.apiUrl ?? 'discord.com';
    if (code === 'TokenInvalid')
      return refused('DISCORD_TOKEN', `DISCORD_TOKEN was rejected by Discord; ${GET_A_TOKEN}.`);
    if (code === 'DisallowedIntents')
      return refused(
        'DISCORD_TOKEN',
        "DISCORD_TOKEN's bot may not read messages; switch on Message Content Intent (Developer Portal → Bot → Privileged Gateway Intents).",
      );
    const cause = networkCause(error) ?? redactedMessage(error, secrets);
    return {
      ok: false,
      variable: 'DISCORD_TOKEN',
      problem: `DISCORD_TOKEN could not be checked: Discord (${where}) did not answer (${redact(cause, secrets)}); check the network${config.apiUrl === undefined ? '' : ' and DISCORD_API_URL'}.`,
      unreachable: true,
    };
  } finally {
    await client.destroy();
  }
}

const refused = (variable: string, problem: string): LoginCheck => ({
  ok: false,
  variable,
  problem,
  unreachable: false,
});

/**
 * Logs in, waits until the gateway is ready, registers the slash commands (per guild when
 * `commandsGuild` is set, globally otherwise) and serves messages until `stop()`. The threads
 * it answers in are kept in `ledger` (the image). In a shard process (`shard` given) it
 * connects as that shard and serves only its guilds. `personas` are the names `/ask` offers.
 */
export async function startDiscord(
  config: DiscordConfig,
  bot: BotService,
  log: Logger,
  {
    ledger,
    shard,
    personas,
  }: { ledger: FrontEndLedger; shard?: ShardIdentity; personas: readonly string[] },
): Promise<FrontEnd> {
  const secrets = [config.token];
  const client = new Client({
    intents: INTENTS,
    // DM channels are not cached before their first message; without this, DMs are dropped.
    partials: [Partials.Channel],
    // Replies repeat user text and model output: never let them ping anyone but the asker.
    allowedMentions: { parse: [], repliedUser: true },
    ...(config.apiUrl === undefined ? {} : { rest: { api: config.apiUrl } }),
    ...(shard === undefined ? {} : { shards: [shard.id], shardCount: shard.count }),
  });
  const inFlight = new Set<Promise<void>>();
  const conversationThreads = new ConversationThreads(ledger, 'discord');
  let stopping = false;
  const serve = (what: string, work: (ctx: DiscordContext) => Promise<void>): void => {
    if (stopping || client.user === null) return;
    const ctx: DiscordContext = {
      bot,
      log,
      access: config.access,
      listenChannels: config.listenChannels,
      botUserId: client.user.id,
      conversationThreads,
    };
    const job = work(ctx)
      .catch((error: unknown) =>
        log.error(`discord: ${what} failed`, { error: redactedMessage(error, secrets) }),
      )
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
  };

  client.on(Events.MessageCreate, (message) => serve('message', (ctx) => onMessage(ctx, message)));
  client.on(Events.InteractionCreate, (interaction) =>
    serve('command', (ctx) => onInteraction(ctx, interaction)),
  );
  client.on(Events.Error, (error) =>
    log.error('discord: client error', { error: redactedMessage(error, secrets) }),
  );
  client.on(Events.ShardDisconnect, (event) =>
    log.warn('discord: gateway disconnected', { code: event.code }),
  );
  client.on(Events.ShardResume, () => log.info('discord: gateway resumed'));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(config.token);
    await ready;
  } catch (error) {
    await client.destroy();
    throw new OperatorError(
      'login-failed',
      `Discord login failed: ${redactedMessage(error, secrets)}`,
    );
  }
  log.info('discord: connected', {
    user: client.user?.tag,
    ...(shard === undefined ? {} : { shard: `${shard.id} of ${shard.count}` }),
  });

  // Commands are the application's, not a shard's: shard 0 registers them for all.
  if (config.registerCommands && (shard === undefined || shard.id === 0)) {
    try {
      const commands = client.application!.commands;
      const body = slashCommands(personas);
      await (config.commandsGuild === undefined
        ? commands.set(body)
        : commands.set(body, config.commandsGuild));
      log.info('discord: slash commands registered', { guild: config.commandsGuild ?? 'global' });
    } catch (error) {
      log.warn('discord: slash command registration failed', {
        error: redactedMessage(error, secrets),
      });
    }
  }

  return {
    name: 'discord',
    async announce(target, reply) {
      const channel = await client.channels.fetch(target.thread ?? target.channel);
      if (channel === null || !channel.isSendable())
        throw new OperatorError(
          'undeliverable',
          `Discord channel ${target.thread ?? target.channel} cannot be posted to.`,
        );
      for (const content of chunkMarkdown(renderDiscord(reply), DISCORD_MAX_LENGTH))
        await channel.send({ content });
    },
    async stop() {
      stopping = true;
      await Promise.allSettled(inFlight);
      await client.destroy();
    },
  };
}
