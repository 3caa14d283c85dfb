/**
 * How often each kept method was called, and how often it failed, since this process
 * started: the image page's most-called and most-failing methods.
 *
 * Kept in memory, as the repair loop's record of failures is (see `method-calls.ts`): most
 * sends only read and leave no history, so history cannot count them, and a write for each
 * call would turn every read into a commit that conflicts with the sends beside it. A restart
 * starts the counts afresh; the image page says they count since then.
 */
import type { Oid } from '../model/value.ts';

/** One method's counts. */
export interface CallCount {
  readonly holder: Oid;
  readonly selector: string;
  readonly calls: number;
  readonly failures: number;
}

/** Methods counted at once; past this, the one least recently called is dropped. */
const COUNTED_METHODS = 10_000;

export class CallCounts {
  private readonly counts = new Map<string, { -readonly [K in keyof CallCount]: CallCount[K] }>();
  /** When counting began (ISO time). */
  readonly since = new Date().toISOString();

  /** Counts a call of `holder`'s method `selector`, and whether it failed. */
  called(holder: Oid, selector: string, failed: boolean): void {
    const key = `${holder} ${selector}`;
    const count = this.counts.get(key) ?? { holder, selector, calls: 0, failures: 0 };
    this.counts.delete(key);
    count.calls += 1;
    if (failed) count.failures += 1;
    this.counts.set(key, count);
    if (this.counts.size > COUNTED_METHODS)
      this.counts.delete(this.counts.keys().next().value as string);
  }

  /** Every count, most calls first (or most failures first, failing methods only). */
  ranked(by: 'calls' | 'failures'): CallCount[] {
    return [...this.counts.values()]
      .filter((count) => count[by] > 0)
      .sort((a, b) => b[by] - a[by] || a.holder - b.holder || (a.selector < b.selector ? -1 : 1))
      .map((count) => ({ ...count }));
  }
}
