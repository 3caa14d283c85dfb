/** The Discord front end's settings, from the values read out of the table. */
import type { DiscordConfig } from '../adapters/discord/config.ts';
import type { SettingValues } from './settings.ts';

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
