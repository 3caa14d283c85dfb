/**
 * What the Slack front end needs; src/config/slack-config.ts builds it from the settings
 * table.
 */
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

/** The secrets in `config`, for redaction. */
export function slackSecrets(config: SlackConfig): (string | undefined)[] {
  return [config.botToken, config.signingSecret, config.appToken];
}
