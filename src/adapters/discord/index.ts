/** The Discord front end: configuration from the environment, and a running client. */
export { parseDiscordConfig } from './config.ts';
export type { DiscordConfig } from './config.ts';
export { startDiscord } from './start.ts';
export { SLASH_COMMANDS, commandToText } from './commands.ts';
