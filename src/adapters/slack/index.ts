/** The Slack front end: configuration from the environment, and a running Bolt app. */
export { parseSlackConfig } from './config.ts';
export type { SlackConfig } from './config.ts';
export { startSlack } from './start.ts';
export type { SlackFrontEnd } from './start.ts';
