/** Rate-limiting stream updates: only the latest value matters, calls never overlap. */

/**
 * Coalesces rapid values into at most one call per `intervalMs` (measured from the start
 * of one call to the start of the next). A value pushed while a call runs waits for it, so
 * a slow call (one backing off after HTTP 429) slows the stream instead of piling calls up.
 */
export class Throttle<T> {
  #pending: { value: T } | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    private readonly call: (value: T) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Offers a newer value; older values not yet sent are dropped. */
  push(value: T): void {
    if (this.#closed) return;
    this.#pending = { value };
    this.#schedule();
  }

  /** Drops anything not yet sent and waits for the call in flight, if any. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#pending = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(): void {
    if (this.#running !== undefined || this.#timer !== undefined) return;
    const delay = this.#lastStart + this.intervalMs - Date.now();
    if (delay <= 0) this.#run();
    else this.#timer = setTimeout(() => this.#run(), delay);
  }

  #run(): void {
    this.#timer = undefined;
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    this.#lastStart = Date.now();
    this.#running = this.call(pending.value)
      .catch(this.onError)
      .finally(() => {
        this.#running = undefined;
        if (this.#pending !== undefined) this.#schedule();
      });
  }
}
