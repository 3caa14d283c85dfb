/**
 * When to start a dead shard process again. Discord allows a bot about 1,000 IDENTIFYs a
 * day, and a shard that dies on every start would spend them all within hours: each death
 * soon after a start doubles the wait, up to a cap, and a shard that stayed up for a while
 * starts over from the first wait.
 */

/** The waits, in ms. */
export interface BackoffTimes {
  /** The first wait: Discord's own spacing between IDENTIFYs. */
  readonly firstMs: number;
  /** The longest wait: at most 96 starts a day per shard at 15 minutes. */
  readonly maxMs: number;
  /** A shard up for this long before it died is counted as healthy again. */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffTimes = {
  firstMs: 5_500,
  maxMs: 15 * 60_000,
  stableMs: 10 * 60_000,
};

/** One shard's restarts: call {@link started} at each start, {@link delayAfterDeath} at each death. */
export class RespawnBackoff {
  private quickDeaths = 0;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly times: BackoffTimes = DEFAULT_BACKOFF) {}

  /** Records that the shard process started at `now` (ms). */
  started(now: number): void {
    this.lastStart = now;
  }

  /** How long to wait before starting the shard again, when it died at `now` (ms). */
  delayAfterDeath(now: number): number {
    if (now - this.lastStart >= this.times.stableMs) this.quickDeaths = 0;
    const delay = Math.min(this.times.maxMs, this.times.firstMs * 2 ** this.quickDeaths);
    this.quickDeaths += 1;
    return delay;
  }
}
