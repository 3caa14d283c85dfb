/** Discord front-end configuration, parsed from the environment the composition root passes. */
import type { Env } from '../chat/env-values.ts';
import { readBool, readId, readIdList, readString, readUrl } from '../chat/env-values.ts';
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
}

const SNOWFLAKE = /^\d{1,20}$/;
const IDS = 'Discord ids (numbers; enable Developer Mode, then right-click → Copy ID)';

/**
 * Reads the `DISCORD_*` variables. Returns `undefined` when `DISCORD_TOKEN` is unset (the
 * front end is off); throws an Error naming the variable and the fix for any bad value.
 */
export function parseDiscordConfig(env: Env): DiscordConfig | undefined {
  const token = readString(env, 'DISCORD_TOKEN');
  if (token === undefined) return undefined;
  if (/\s/.test(token)) {
    throw new Error(
      'DISCORD_TOKEN contains whitespace; paste the bot token from the Developer Portal (Bot → Reset Token) as is.',
    );
  }
  return {
    token,
    apiUrl: readUrl(env, 'DISCORD_API_URL'),
    listenChannels: readIdList(env, 'DISCORD_LISTEN_CHANNELS', SNOWFLAKE, IDS),
    access: {
      allowedUsers: readIdList(env, 'DISCORD_ALLOWED_USERS', SNOWFLAKE, IDS),
      allowedRoles: readIdList(env, 'DISCORD_ALLOWED_ROLES', SNOWFLAKE, IDS),
      allowedChannels: readIdList(env, 'DISCORD_ALLOWED_CHANNELS', SNOWFLAKE, IDS),
      adminUsers: readIdList(env, 'DISCORD_ADMIN_USERS', SNOWFLAKE, IDS),
      adminChannel: readId(env, 'DISCORD_ADMIN_CHANNEL', SNOWFLAKE, 'one Discord channel id'),
    },
    commandsGuild: readId(
      env,
      'DISCORD_COMMANDS_GUILD',
      SNOWFLAKE,
      'one Discord server (guild) id',
    ),
    registerCommands: readBool(env, 'DISCORD_REGISTER_COMMANDS', true),
  };
}
