/**
 * Discord sharding with discord.js's own ShardingManager: the manager process spawns one BAT
 * OS process per shard, each serving the guilds Discord routes to its shard, all over one
 * shared image. The manager itself keeps no gateway connection; it posts announcements
 * (upgrade results) over REST, which needs none.
 */
import { once } from 'node:events';
import { REST, Routes, ShardingManager, type Shard } from 'discord.js';
import { OperatorError } from '../../core/errors.ts';
import type { FrontEnd, Logger } from '../chat/front-end.ts';
import { chunkMarkdown } from '../chat/chunk.ts';
import { redactedMessage } from '../chat/redact.ts';
import type { DiscordConfig } from './config.ts';
import { RespawnBackoff } from './respawn-backoff.ts';
import { DISCORD_MAX_LENGTH, renderDiscord } from './render.ts';

/**
 * Discord allows one IDENTIFY per 5 seconds (per concurrency bucket): discord.js's own spacing
 * between shard starts.
 */
const SPAWN_SPACING_MS = 5_500;

/** A shard process opens the image and may load a model before it connects: give it time. */
const SHARD_READY_TIMEOUT_MS = 300_000;

/** What the manager needs to start the shard processes. */
export interface ShardManagerOptions {
  readonly config: DiscordConfig;
  /** BATOS_DISCORD_SHARDS: a count, or `auto` for the count Discord recommends. */
  readonly shards: 'auto' | number;
  /** The program each shard runs: BAT OS's own entry point. */
  readonly script: string;
  /** Node options for the shard processes (e.g. tsx as an import hook). */
  readonly execArgv: readonly string[];
  readonly log: Logger;
}

/**
 * Starts one shard process per shard and waits until each has connected; resolves with a
 * front end that announces over REST and whose `stop()` stops every shard process
 * gracefully (each finishes its send in flight and closes its image connection).
 */
export async function startDiscordShards(options: ShardManagerOptions): Promise<FrontEnd> {
  const { config, log } = options;
  const secrets = [config.token];
  const rest = new REST(config.apiUrl === undefined ? {} : { api: config.apiUrl }).setToken(
    config.token,
  );
  const count = options.shards === 'auto' ? await recommendedShards(rest, secrets) : options.shards;
  const manager = new ShardingManager(options.script, {
    token: config.token,
    totalShards: count,
    mode: 'process',
    execArgv: [...options.execArgv],
    // A dead shard is started again here, after a back-off, not at once by discord.js.
    respawn: false,
  });
  let stopping = false;
  const restarts = new Set<NodeJS.Timeout>();
  manager.on('shardCreate', (shard: Shard) => {
    const backoff = new RespawnBackoff();
    shard.on('spawn', () => backoff.started(Date.now()));
    shard.on('death', () => {
      if (stopping) return;
      const delay = backoff.delayAfterDeath(Date.now());
      log.warn('discord: shard process exited; starting it again', {
        shard: shard.id,
        inSeconds: delay / 1000,
      });
      const restart = setTimeout(() => {
        restarts.delete(restart);
        if (stopping) return;
        shard.spawn(SHARD_READY_TIMEOUT_MS).catch((error: unknown) =>
          log.error('discord: a shard did not start again', {
            shard: shard.id,
            error: redactedMessage(error, secrets),
          }),
        );
      }, delay);
      restarts.add(restart);
    });
    shard.on('ready', () => log.info('discord: shard ready', { shard: shard.id, of: count }));
  });
  const stopShards = async (): Promise<void> => {
    stopping = true;
    for (const restart of restarts) clearTimeout(restart);
    restarts.clear();
    await Promise.all([...manager.shards.values()].map(stopShard));
  };
  try {
    await manager.spawn({
      amount: count,
      delay: SPAWN_SPACING_MS,
      timeout: SHARD_READY_TIMEOUT_MS,
    });
  } catch (error) {
    await stopShards();
    throw new OperatorError(
      'login-failed',
      `Discord shards failed to start: ${redactedMessage(error, secrets)}`,
    );
  }
  log.info('discord: all shards connected', { shards: count });

  return {
    name: 'discord',
    async announce(target, reply) {
      for (const content of chunkMarkdown(renderDiscord(reply), DISCORD_MAX_LENGTH))
        await rest.post(Routes.channelMessages(target.thread ?? target.channel), {
          body: { content, allowed_mentions: { parse: [] } },
        });
    },
    stop: stopShards,
  };
}

/** How many shards Discord recommends for this bot (`GET /gateway/bot`). */
async function recommendedShards(rest: REST, secrets: readonly string[]): Promise<number> {
  let answer: string;
  try {
    const { shards } = (await rest.get(Routes.gatewayBot())) as { shards?: unknown };
    if (typeof shards === 'number' && Number.isInteger(shards) && shards >= 1) return shards;
    answer = `it answered shards=${JSON.stringify(shards)}`;
  } catch (error) {
    answer = redactedMessage(error, secrets);
  }
  throw new OperatorError(
    'login-failed',
    `BATOS_DISCORD_SHARDS=auto: Discord did not say how many shards to run (${answer}); set a count instead, or check DISCORD_TOKEN and the network.`,
  );
}

/** Asks a shard process to stop (SIGTERM: it finishes its send and closes) and waits. */
async function stopShard(shard: Shard): Promise<void> {
  const child = shard.process;
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
