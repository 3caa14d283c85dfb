/** Discord front-end configuration, from the settings table (src/config/settings.ts). */
import { readSettings, type Env } from '../../config/read.ts';
import type { SettingName, SettingValues } from '../../config/settings.ts';
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

/** The settings the Discord front end reads. */
export const DISCORD_SETTINGS = [
  'DISCORD_TOKEN',
  'DISCORD_API_URL',
  'DISCORD_LISTEN_CHANNELS',
  'DISCORD_ALLOWED_USERS',
  'DISCORD_ALLOWED_ROLES',
  'DISCORD_ALLOWED_CHANNELS',
  'DISCORD_ADMIN_USERS',
  'DISCORD_ADMIN_CHANNEL',
  'DISCORD_COMMANDS_GUILD',
  'DISCORD_REGISTER_COMMANDS',
  'BATOS_DISCORD_SHARDS',
] as const satisfies readonly SettingName[];

/** The Discord front end's configuration; `undefined` when `DISCORD_TOKEN` is unset (it is off). */
export function discordConfig(values: SettingValues): DiscordConfig | undefined {
  if (values.DISCORD_TOKEN === undefined) return undefined;
  const none = new Set<string>();
  return {
    token: values.DISCORD_TOKEN,
    apiUrl: values.DISCORD_API_URL,
    listenChannels: values.DISCORD_LISTEN_CHANNELS ?? none,
    access: {
      allowedUsers: values.DISCORD_ALLOWED_USERS ?? none,
      allowedRoles: values.DISCORD_ALLOWED_ROLES ?? none,
      allowedChannels: values.DISCORD_ALLOWED_CHANNELS ?? none,
      adminUsers: values.DISCORD_ADMIN_USERS ?? none,
      adminChannel: values.DISCORD_ADMIN_CHANNEL,
    },
    commandsGuild: values.DISCORD_COMMANDS_GUILD,
    registerCommands: values.DISCORD_REGISTER_COMMANDS,
    shards: values.BATOS_DISCORD_SHARDS,
  };
}

/**
 * Reads the `DISCORD_*` variables out of `env` (for tools and tests that start the front end
 * alone). Throws a {@link SettingsError} naming every bad one.
 */
export function parseDiscordConfig(env: Env): DiscordConfig | undefined {
  return discordConfig(readSettings(env, DISCORD_SETTINGS));
}
