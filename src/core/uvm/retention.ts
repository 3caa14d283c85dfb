/**
 * How much history the image keeps. Every send's changes stay in history (for `history` and
 * `undo`) until forgotten; retention forgets the oldest when the whole passes a size, and,
 * when asked, whatever is older than some days, as `collect N` does by hand.
 */

/** The bounds retention keeps history within. */
export interface HistoryRetention {
  /** Bytes history may hold (each change's encoded before and after) before the oldest go. */
  readonly maxBytes: number;
  /** Days of history kept; 0 keeps it however old. */
  readonly keepDays: number;
}

export const DEFAULT_HISTORY_RETENTION: HistoryRetention = {
  maxBytes: 2 * 1024 * 1024 * 1024,
  keepDays: 0,
};

/**
 * What history keeps once it has passed `maxBytes`, as a share of it: forgetting a little
 * more than the excess means it is not forgotten again at the very next commit.
 */
export const RETAINED_SHARE = 0.9;

/** What one retention pass forgot. */
export interface Retained {
  /** Transactions forgotten for being older than `keepDays`. */
  readonly byAge: number;
  /** Transactions forgotten, oldest first, because history held more than `maxBytes`. */
  readonly bySize: number;
  /** The bytes history held before the size pass, and after it. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}
