/** A first-come, first-served lock: one generation at a time on a context sequence. */
export class Lock {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  /** Whether someone holds or waits for the lock. */
  get busy(): boolean {
    return this.holders > 0;
  }

  /** Runs `fn` once every earlier caller is done. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.holders++;
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    try {
      await previous;
      return await fn();
    } finally {
      this.holders--;
      release();
    }
  }
}
