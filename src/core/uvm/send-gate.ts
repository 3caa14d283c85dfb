/**
 * Who may work on the image at once. Sends run side by side, up to a bound, each in its own
 * transaction that the image checks at commit (a send that read what another committed
 * meanwhile runs again), so one send's wait — the sandbox, the disk, the database — is
 * another's turn. Work that needs the image to itself (collect, backup, a send that keeps
 * losing) runs alone. Waiters are served in arrival order: a send never overtakes work that
 * waits to run alone, so that work is not starved.
 */
interface Waiter {
  readonly alone: boolean;
  readonly start: () => void;
}

export class SendGate {
  private running = 0;
  private runningAlone = false;
  private readonly waiting: Waiter[] = [];
  private idle: Array<() => void> = [];

  /** @param capacity how many sends may run at once */
  constructor(private readonly capacity: number) {}

  /** Runs `task` beside others. */
  shared<T>(task: () => Promise<T> | T): Promise<T> {
    return this.enter(false, task);
  }

  /** Runs `task` once everything before it has finished, with nothing beside it. */
  alone<T>(task: () => Promise<T> | T): Promise<T> {
    return this.enter(true, task);
  }

  /** Resolves once nothing runs or waits. */
  drain(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async enter<T>(alone: boolean, task: () => Promise<T> | T): Promise<T> {
    await new Promise<void>((start) => {
      this.waiting.push({ alone, start });
      this.admit();
    });
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.runningAlone = false;
      this.admit();
    }
  }

  private admit(): void {
    for (let next = this.waiting[0]; next !== undefined; next = this.waiting[0]) {
      const fits = next.alone
        ? this.running === 0
        : !this.runningAlone && this.running < this.capacity;
      if (!fits) break;
      this.waiting.shift();
      this.running += 1;
      this.runningAlone = next.alone;
      next.start();
    }
    if (this.running === 0 && this.waiting.length === 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
