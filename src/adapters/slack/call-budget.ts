/** Keeping one Web API method under its per-minute rate limit across all conversations. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A sliding window of at most `calls` per `windowMs`. Each streamed reply is throttled on its
 * own; this keeps their sum under Slack's limit (chat.update: about 50 a minute), so
 * concurrent streams slow down instead of drawing HTTP 429s.
 */
export class CallBudget {
  readonly #starts: number[] = [];

  constructor(
    private readonly calls: number,
    private readonly windowMs: number,
  ) {}

  /** Resolves when one more call fits in the window, and counts it. */
  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.#starts.length > 0 && this.#starts[0]! <= now - this.windowMs)
        this.#starts.shift();
      if (this.#starts.length < this.calls) {
        this.#starts.push(now);
        return;
      }
      await sleep(this.#starts[0]! + this.windowMs - now);
    }
  }
}
