import { SendError } from '../errors.ts';
import type { MethodWriter } from '../uvm/method-writer.ts';
import { RateLimiter, type RateLimit } from './rate-limit.ts';

/**
 * Limits how often each chat user may have the model write a method: generation takes
 * seconds of the whole machine. The console, being the operator, is not limited.
 */
export function limitGenerations(writer: MethodWriter, limit: RateLimit): MethodWriter {
  const limiter = new RateLimiter(limit);
  return {
    write(request, signal) {
      if (!request.requestedBy.startsWith('console:')) {
        const allowed = limiter.take(request.requestedBy);
        if (!allowed.ok)
          return Promise.reject(
            new SendError(
              'rate-limited',
              `I can only write so many new methods at once. Try ${request.selector} again in ${allowed.retryAfterSeconds}s.`,
            ),
          );
      }
      return writer.write(request, signal);
    },
  };
}
