/** Backing off when Slack's Web API answers HTTP 429. */
import { webApi } from '@slack/bolt';
import type { Logger } from '../chat/front-end.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Retry-After seconds of a rate-limited call's error, or `undefined` for other errors. */
function retryAfterSeconds(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  return code === webApi.ErrorCode.RateLimitedError && typeof retryAfter === 'number'
    ? retryAfter
    : undefined;
}

/**
 * Runs a Web API call; on HTTP 429 waits the Retry-After the server asked for and tries again,
 * up to `attempts` calls in all. The client is built with `rejectRateLimitedCalls`, so it
 * hands 429s to us instead of retrying (or failing) on its own.
 */
export async function withRateLimitRetry<T>(
  call: () => Promise<T>,
  log: Logger,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const seconds = retryAfterSeconds(error);
      if (seconds === undefined || attempt >= attempts) throw error;
      log.warn('slack: rate limited, retrying', { retryAfterSeconds: seconds, attempt });
      await sleep(seconds * 1000);
    }
  }
}
