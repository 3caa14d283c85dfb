/** The Discord front end: configuration from the settings table, and a running client. */
export { DISCORD_SETTINGS, discordConfig, parseDiscordConfig } from './config.ts';
export type { DiscordConfig } from './config.ts';
export { checkDiscordLogin, startDiscord } from './start.ts';
export { slashCommands, commandToText } from './commands.ts';
export { shardFromEnv, startDiscordShards } from './shards.ts';
export type { ShardIdentity } from './shards.ts';
