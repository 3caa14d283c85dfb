/** The Discord front end: what it needs (src/config builds it), and a running client. */
export type { DiscordConfig } from './config.ts';
export { checkDiscordLogin, startDiscord } from './start.ts';
export { slashCommands, commandToText } from './commands.ts';
export { startDiscordShards } from './shards.ts';
export { shardFromEnv, type ShardIdentity } from './shard-identity.ts';
