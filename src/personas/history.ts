/**
 * Trimming a conversation's history to what fits in a persona's prompt.
 */

/** Limits on the history given to the model. */
export interface HistoryLimits {
  /** The most turns to keep. */
  readonly maxTurns: number;
  /** The most characters of turn text to keep, all kept turns together. */
  readonly maxChars: number;
}

/** What a thread keeps unless told otherwise (BATOS_HISTORY_TURNS, BATOS_HISTORY_CHARS). */
export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxTurns: 20, maxChars: 4_000 };

/**
 * Keeps the most recent turns that fit both limits, oldest first as given. The kept turns
 * are contiguous: an older short turn is not kept once a newer one did not fit, so the
 * model never sees a conversation with a hole in it. The newest turn is always kept (the
 * message being answered); if it alone is longer than `maxChars`, its text is cut to its
 * last `maxChars` characters, beginning with `…`.
 */
export function trimHistory<T extends { readonly text: string }>(
  turns: readonly T[],
  limits: HistoryLimits,
): T[] {
  const newest = turns[turns.length - 1];
  if (!newest || limits.maxTurns < 1) return [];
  if (newest.text.length > limits.maxChars) {
    const cut = Math.max(0, limits.maxChars - 1);
    return [{ ...newest, text: '…' + newest.text.slice(newest.text.length - cut) }];
  }
  let chars = 0;
  let first = turns.length;
  while (first > 0 && turns.length - first < limits.maxTurns) {
    const size = turns[first - 1]!.text.length;
    if (chars + size > limits.maxChars) break;
    chars += size;
    first--;
  }
  return turns.slice(first);
}

/**
 * {@link trimHistory} in steps: everything while it all fits, and once it does not, only
 * what fits half the limits. A thread's prompt then keeps the same beginning for several
 * turns instead of losing its oldest turn every turn, so the mind's KV cache for the thread
 * (which holds the prompt up to its first change) is reused rather than evaluated again.
 */
export function trimHistoryInSteps<T extends { readonly text: string }>(
  turns: readonly T[],
  limits: HistoryLimits,
): T[] {
  const kept = trimHistory(turns, limits);
  if (kept.length === turns.length) return kept;
  return trimHistory(turns, {
    maxTurns: Math.ceil(limits.maxTurns / 2),
    maxChars: Math.ceil(limits.maxChars / 2),
  });
}
