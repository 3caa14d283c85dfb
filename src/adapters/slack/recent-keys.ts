/** Remembering recently seen events, so a message Slack delivers twice is answered once. */

/** A set of keys that forgets each key after `ttlMs`. */
export class RecentKeys {
  readonly #seen = new Map<string, number>();

  constructor(private readonly ttlMs = 10 * 60_000) {}

  /** True the first time `key` is offered within the time to live; false afterwards. */
  firstTime(key: string): boolean {
    const now = Date.now();
    for (const [old, expires] of this.#seen) {
      // Insertion order is expiry order: stop at the first live key.
      if (expires > now) break;
      this.#seen.delete(old);
    }
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, now + this.ttlMs);
    return true;
  }
}
