/** The Slack front end's settings, from the values read out of the table. */
import type { SlackConfig } from '../adapters/slack/config.ts';
import type { SettingValues } from './settings.ts';

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
