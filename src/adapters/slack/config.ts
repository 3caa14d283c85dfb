/** Slack front-end configuration, from the settings table (src/config/settings.ts). */
import { readSettings, type Env } from '../../config/read.ts';
import type { SettingName, SettingValues } from '../../config/settings.ts';
import type { AccessPolicy } from '../chat/permissions.ts';

/** Everything the Slack front end needs. Holds tokens and the signing secret: never log it. */
export interface SlackConfig {
  /** Bot token (`xoxb-…`). */
  readonly botToken: string;
  /** Signs Events API requests; required over HTTP, unused in Socket Mode. */
  readonly signingSecret: string | undefined;
  /** App-level token (`xapp-…`); when set, the app connects over Socket Mode instead of HTTP. */
  readonly appToken: string | undefined;
  /** HTTP mode: where the Events API receiver listens (0 picks a free port). */
  readonly port: number;
  readonly host: string;
  /** Web API base, e.g. `http://127.0.0.1:PORT/api/`; Slack's own when unset. */
  readonly apiUrl: string | undefined;
  /** Channels where every message is answered, not only mentions. */
  readonly listenChannels: ReadonlySet<string>;
  readonly access: AccessPolicy;
  /** Acknowledge HTTP requests only after the handler ran (for FaaS and deterministic tests). */
  readonly processBeforeResponse: boolean;
  /** Retries of a failed Web API call; Bolt's default (about 30 min of retries) when unset. Tests use 0. */
  readonly apiRetries: number | undefined;
}

/** The settings the Slack front end reads. */
export const SLACK_SETTINGS = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_PORT',
  'SLACK_HOST',
  'SLACK_API_URL',
  'SLACK_LISTEN_CHANNELS',
  'SLACK_ALLOWED_USERS',
  'SLACK_ALLOWED_CHANNELS',
  'SLACK_ADMIN_USERS',
  'SLACK_ADMIN_CHANNEL',
  'SLACK_PROCESS_BEFORE_RESPONSE',
] as const satisfies readonly SettingName[];

/** The Slack front end's configuration; `undefined` when `SLACK_BOT_TOKEN` is unset (it is off). */
export function slackConfig(values: SettingValues): SlackConfig | undefined {
  if (values.SLACK_BOT_TOKEN === undefined) return undefined;
  const none = new Set<string>();
  return {
    botToken: values.SLACK_BOT_TOKEN,
    signingSecret: values.SLACK_SIGNING_SECRET,
    appToken: values.SLACK_APP_TOKEN,
    port: values.SLACK_PORT,
    host: values.SLACK_HOST,
    apiUrl: values.SLACK_API_URL,
    listenChannels: values.SLACK_LISTEN_CHANNELS ?? none,
    access: {
      allowedUsers: values.SLACK_ALLOWED_USERS ?? none,
      allowedRoles: none,
      allowedChannels: values.SLACK_ALLOWED_CHANNELS ?? none,
      adminUsers: values.SLACK_ADMIN_USERS ?? none,
      adminChannel: values.SLACK_ADMIN_CHANNEL,
    },
    processBeforeResponse: values.SLACK_PROCESS_BEFORE_RESPONSE,
    apiRetries: undefined,
  };
}

/**
 * Reads the `SLACK_*` variables out of `env` (for tools and tests that start the front end
 * alone). Throws a {@link SettingsError} naming every bad one.
 */
export function parseSlackConfig(env: Env): SlackConfig | undefined {
  return slackConfig(readSettings(env, SLACK_SETTINGS));
}

/** The secrets in `config`, for redaction. */
export function slackSecrets(config: SlackConfig): (string | undefined)[] {
  return [config.botToken, config.signingSecret, config.appToken];
}
