/** Slack front-end configuration, parsed from the environment the composition root passes. */
import type { Env } from '../chat/env-values.ts';
import { readBool, readId, readIdList, readPort, readString, readUrl } from '../chat/env-values.ts';
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

const SLACK_ID = /^[A-Z0-9]{2,}$/;
const USER_IDS = 'Slack user ids (U…; profile → ⋮ → Copy member ID)';
const CHANNEL_IDS = 'Slack channel ids (C… or G…; channel details → bottom of About)';

/**
 * Reads the `SLACK_*` variables. Returns `undefined` when `SLACK_BOT_TOKEN` is unset (the front
 * end is off); throws an Error naming the variable and the fix for any bad value.
 */
export function parseSlackConfig(env: Env): SlackConfig | undefined {
  const botToken = readString(env, 'SLACK_BOT_TOKEN');
  if (botToken === undefined) return undefined;
  if (!botToken.startsWith('xoxb-')) {
    throw new Error(
      'SLACK_BOT_TOKEN does not look like a bot token; copy the xoxb-… token from OAuth & Permissions.',
    );
  }
  const appToken = readString(env, 'SLACK_APP_TOKEN');
  if (appToken !== undefined && !appToken.startsWith('xapp-')) {
    throw new Error(
      'SLACK_APP_TOKEN does not look like an app-level token; create an xapp-… token with the connections:write scope under Basic Information, or unset it to use HTTP.',
    );
  }
  const signingSecret = readString(env, 'SLACK_SIGNING_SECRET');
  if (appToken === undefined && signingSecret === undefined) {
    throw new Error(
      'SLACK_SIGNING_SECRET is required for the HTTP Events API; copy it from Basic Information → App Credentials, or set SLACK_APP_TOKEN to use Socket Mode.',
    );
  }
  return {
    botToken,
    signingSecret,
    appToken,
    port: readPort(env, 'SLACK_PORT', 3000),
    host: readString(env, 'SLACK_HOST') ?? '127.0.0.1',
    apiUrl: readUrl(env, 'SLACK_API_URL'),
    listenChannels: readIdList(env, 'SLACK_LISTEN_CHANNELS', SLACK_ID, CHANNEL_IDS),
    access: {
      allowedUsers: readIdList(env, 'SLACK_ALLOWED_USERS', SLACK_ID, USER_IDS),
      allowedRoles: new Set(),
      allowedChannels: readIdList(env, 'SLACK_ALLOWED_CHANNELS', SLACK_ID, CHANNEL_IDS),
      adminUsers: readIdList(env, 'SLACK_ADMIN_USERS', SLACK_ID, USER_IDS),
      adminChannel: readId(env, 'SLACK_ADMIN_CHANNEL', SLACK_ID, 'one Slack channel id (C…)'),
    },
    processBeforeResponse: readBool(env, 'SLACK_PROCESS_BEFORE_RESPONSE', false),
    apiRetries: undefined,
  };
}

/** The secrets in `config`, for redaction. */
export function slackSecrets(config: SlackConfig): (string | undefined)[] {
  return [config.botToken, config.signingSecret, config.appToken];
}
