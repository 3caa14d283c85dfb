/** Bolt's logger interface, written to our Logger with secrets redacted. */
import { LogLevel } from '@slack/bolt';
import type { Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../chat/front-end.ts';
import { redact } from '../chat/redact.ts';

/** A Bolt logger over `log`; Bolt's debug output is dropped. */
export function boltLogger(log: Logger, secrets: readonly (string | undefined)[]): BoltLogger {
  let level = LogLevel.INFO;
  const line = (parts: unknown[]): string =>
    redact(
      parts
        .map((part) =>
          part instanceof Error
            ? part.message
            : typeof part === 'string'
              ? part
              : JSON.stringify(part),
        )
        .join(' '),
      secrets,
    );
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => log.info(`slack(bolt): ${line(parts)}`),
    warn: (...parts: unknown[]) => log.warn(`slack(bolt): ${line(parts)}`),
    error: (...parts: unknown[]) => log.error(`slack(bolt): ${line(parts)}`),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
