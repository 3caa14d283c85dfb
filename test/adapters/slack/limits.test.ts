/** 429 back-off and the shared chat.update budget. */
import { webApi } from '@slack/bolt';
import { describe, expect, it, vi } from 'vitest';
import { CallBudget } from '../../../src/adapters/slack/call-budget.ts';
import { withRateLimitRetry } from '../../../src/adapters/slack/rate-limit.ts';
import { memoryLogger } from '../../support/test-bot.ts';

describe('withRateLimitRetry', () => {
  it('waits Retry-After on a rate-limit error, gives up after the last attempt, passes other errors', async () => {
    vi.useFakeTimers();
    try {
      const limited = Object.assign(new Error('limited'), {
        code: webApi.ErrorCode.RateLimitedError,
        retryAfter: 2,
      });
      let calls = 0;
      const result = withRateLimitRetry(async () => {
        if (++calls === 1) throw limited;
        return 'ok';
      }, memoryLogger());
      await vi.advanceTimersByTimeAsync(1999);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await result).toBe('ok');

      const always = withRateLimitRetry(
        async () => {
          throw limited;
        },
        memoryLogger(),
        2,
      );
      const settled = always.catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(2000);
      expect(await settled).toBe(limited);

      await expect(
        withRateLimitRetry(async () => Promise.reject(new Error('other')), memoryLogger()),
      ).rejects.toThrow('other');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('CallBudget', () => {
  it('lets `calls` through per window and holds the next until the oldest expires', async () => {
    vi.useFakeTimers();
    try {
      const budget = new CallBudget(2, 1000);
      await budget.take();
      await budget.take();
      let third = false;
      void budget.take().then(() => (third = true));
      await vi.advanceTimersByTimeAsync(999);
      expect(third).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(third).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
