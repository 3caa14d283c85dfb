/**
 * What the Discord front end needs; src/config/discord-config.ts builds it from the settings
 * table.
 */
import type { AccessPolicy } from '../chat/permissions.ts';

/** Everything the Discord front end needs. Holds the bot token: never log it. */
export interface DiscordConfig {
  readonly token: string;
  /** REST base without `/v10` (tests point it at a local server); Discord's own when unset. */
  readonly apiUrl: string | undefined;
  /** Channels where every message is answered, not only mentions. */
  readonly listenChannels: ReadonlySet<string>;
  readonly access: AccessPolicy;
  /** Guild to register slash commands in (instant); global registration when unset. */
  readonly commandsGuild: string | undefined;
  readonly registerCommands: boolean;
  /** BATOS_DISCORD_SHARDS: shard processes under a ShardingManager; one connection when unset. */
  readonly shards: 'auto' | number | undefined;
}
