/** The Slack front end: configuration from the settings table, and a running Bolt app. */
export { SLACK_SETTINGS, parseSlackConfig, slackConfig } from './config.ts';
export type { SlackConfig } from './config.ts';
export { checkSlackTokens, startSlack } from './start.ts';
export type { SlackFrontEnd } from './start.ts';
