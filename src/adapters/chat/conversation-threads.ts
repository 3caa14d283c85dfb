/**
 * The threads the bot has answered in, so follow-ups there need no mention. The ledger in the
 * image remembers them, for every BAT OS process over it and across restarts. In front of it
 * sits a bounded cache of threads known to be answered in (a thread once answered stays so),
 * saving a round trip per follow-up; a "no" is never cached, as another process may answer
 * in that thread next.
 */
import type { FrontEndLedger, Platform } from '../../core/protocol.ts';

export class ConversationThreads {
  readonly #known = new Set<string>();

  constructor(
    private readonly ledger: FrontEndLedger,
    private readonly platform: Platform,
    private readonly capacity = 10_000,
  ) {}

  /** Whether the bot has answered in `thread`, here or in any other process. */
  async has(thread: string): Promise<boolean> {
    if (this.#known.has(thread)) return true;
    const answered = await this.ledger.answeredIn(this.platform, thread);
    if (answered) this.#note(thread);
    return answered;
  }

  /** Records that the bot answers in `thread`. */
  async remember(thread: string): Promise<void> {
    await this.ledger.rememberThread(this.platform, thread);
    this.#note(thread);
  }

  #note(thread: string): void {
    this.#known.delete(thread);
    this.#known.add(thread);
    if (this.#known.size > this.capacity) {
      const oldest = this.#known.values().next();
      if (!oldest.done) this.#known.delete(oldest.value);
    }
  }
}
