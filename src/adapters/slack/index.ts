/** The Slack front end: what it needs (src/config builds it), and a running Bolt app. */
export type { SlackConfig } from './config.ts';
export { checkSlackTokens, startSlack } from './start.ts';
export type { SlackFrontEnd } from './start.ts';
