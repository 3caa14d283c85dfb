/**
 * The threads a front end has answered in, so follow-ups there need no mention. Kept in
 * memory and bounded: the oldest threads are forgotten first.
 */
export class ConversationThreads {
  readonly #threads = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  has(thread: string): boolean {
    return this.#threads.has(thread);
  }

  remember(thread: string): void {
    this.#threads.delete(thread);
    this.#threads.add(thread);
    if (this.#threads.size > this.capacity) {
      const oldest = this.#threads.values().next();
      if (!oldest.done) this.#threads.delete(oldest.value);
    }
  }
}
