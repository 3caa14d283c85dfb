/**
 * Deadlines and cancellation for one generation: the mind's own timeout and the caller's
 * signal become one AbortSignal, and whichever fired becomes a clear {@link MindError}.
 */
import { MindError } from './errors.ts';

/** An abort reason as a MindError: a timeout (`AbortSignal.timeout`) or a plain abort. */
function fromReason(reason: unknown, what: string): MindError {
  if (reason instanceof MindError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new MindError('timeout', `${what} timed out.`, { cause: reason });
  }
  return new MindError('aborted', `${what} was cancelled.`, { cause: reason });
}

/**
 * Runs `fn` with a signal that aborts after `timeoutMs` or when `signal` aborts, and turns
 * either into a MindError ('timeout' or 'aborted'). `fn` is also abandoned at once if it is
 * still waiting (for example for a busy context) when the signal fires.
 */
export async function withDeadline<T>(
  what: string,
  { signal, timeoutMs }: { signal?: AbortSignal | undefined; timeoutMs: number },
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw fromReason(signal.reason, what);
  const timer = new AbortController();
  const timeout = setTimeout(
    () =>
      timer.abort(
        new MindError('timeout', `${what} took longer than ${timeoutMs} ms and was stopped.`),
      ),
    timeoutMs,
  );
  const combined = signal ? AbortSignal.any([timer.signal, signal]) : timer.signal;
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(fromReason(combined.reason, what));
    combined.addEventListener('abort', onAbort, { once: true });
  });
  const work = fn(combined);
  // The work may still settle after an abort; it must not surface as unhandled.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, aborted]);
  } catch (error) {
    throw combined.aborted ? fromReason(combined.reason, what) : error;
  } finally {
    clearTimeout(timeout);
    combined.removeEventListener('abort', onAbort);
  }
}
