/** Platform-neutral helpers shared by the Discord and Slack front ends. */
export type { FrontEnd, Logger } from './front-end.ts';
export { answer } from './answer.ts';
export type { ReplyTarget } from './answer.ts';
export { chunkMarkdown } from './chunk.ts';
export { Throttle } from './throttle.ts';
export { renderReply } from './markdown.ts';
export type { MarkdownStyle } from './markdown.ts';
export { checkAccess, NOT_ALLOWED_TEXT } from './permissions.ts';
export type { Access, AccessPolicy, Origin } from './permissions.ts';
export { redact, redactedMessage } from './redact.ts';
export { LOGIN_CHECK_TIMEOUT_MS } from './login-check.ts';
export type { LoginCheck } from './login-check.ts';
