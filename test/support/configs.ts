/**
 * The front ends' and the steward's configurations from an environment map, read and mapped
 * as the entry points do (src/main.ts, src/steward/main.ts), for tests that start one part
 * alone. Each throws a SettingsError naming every bad setting.
 */
import type { DiscordConfig } from '../../src/adapters/discord/index.ts';
import type { SlackConfig } from '../../src/adapters/slack/index.ts';
import { discordConfig } from '../../src/config/discord-config.ts';
import { readSettings, type Env } from '../../src/config/read.ts';
import { slackConfig } from '../../src/config/slack-config.ts';
import { STEWARD_SETTINGS, stewardConfig } from '../../src/config/steward-config.ts';
import type { StewardConfig } from '../../src/steward/index.ts';

/** The Discord front end's configuration; `undefined` when `DISCORD_TOKEN` is unset. */
export function parseDiscordConfig(env: Env): DiscordConfig | undefined {
  return discordConfig(readSettings(env));
}

/** The Slack front end's configuration; `undefined` when `SLACK_BOT_TOKEN` is unset. */
export function parseSlackConfig(env: Env): SlackConfig | undefined {
  return slackConfig(readSettings(env));
}

/** The steward's configuration, with `cwd` as the folder it runs in. */
export function readStewardConfig(env: Env, cwd: string): StewardConfig {
  return stewardConfig(readSettings(env, STEWARD_SETTINGS), { env, cwd });
}
