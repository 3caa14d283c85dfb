/**
 * Who may work on the image at once. Sends run side by side, up to a bound, each in its own
 * transaction that the image checks at commit (a send that read what another committed
 * meanwhile runs again), so one send's wait — the sandbox, the disk, the database — is
 * another's turn. Work that needs the image to itself (collect, backup, a send that keeps
 * losing) runs alone.
 *
 * Fairness: one party (a person, by principal) holds at most its share of the slots, so
 * however many slow sends one person has in flight, a slot stays free for someone else;
 * waiting sends are served round robin by party, not in arrival order. Work that waits to
 * run alone is never overtaken: once it waits, nothing new starts until it has run. Reads
 * ({@link SendGate.read}) take no slot at all: they commit nothing, so they wait for nobody.
 */
import { fairShare, RoundRobin } from '../fairness/index.ts';

/**
 * Sends that run side by side in one process, each with at most one commit in flight. 16,
 * not 8: on PostgreSQL a send mostly waits for the server, and more sends in flight make
 * bigger commit batches (at 16 senders 30–50 % less server CPU per send, see docs/scale.md);
 * SQLite's groups that share a sync grow the same way. No store sizes its connections by it:
 * commits ready together share a statement.
 */
export const SENDS_AT_ONCE = 16;

interface Waiter {
  readonly party: string;
  readonly start: () => void;
}

export class SendGate {
  private running = 0;
  private runningAlone = false;
  /** Reads in flight, so {@link drain} waits for them too. */
  private reading = 0;
  private readonly held = new Map<string, number>();
  private readonly waiting = new RoundRobin<Waiter>();
  private readonly waitingAlone: Waiter[] = [];
  private idle: Array<() => void> = [];
  private readonly share: number;

  /**
   * @param capacity how many sends may run at once
   * @param share how many of them one party may hold (default {@link fairShare} of capacity)
   */
  constructor(
    private readonly capacity: number,
    share = fairShare(capacity),
  ) {
    this.share = Math.min(Math.max(1, share), capacity);
  }

  /** Runs `task` for `party` beside others, once it is `party`'s turn and within its share. */
  shared<T>(party: string, task: () => Promise<T> | T): Promise<T> {
    return this.enter(party, false, task);
  }

  /** Runs `task` for `party` once everything before it has finished, with nothing beside it. */
  alone<T>(party: string, task: () => Promise<T> | T): Promise<T> {
    return this.enter(party, true, task);
  }

  /** Runs read-only `task` at once, beside anything, sends and work alone alike. */
  async read<T>(task: () => Promise<T> | T): Promise<T> {
    this.reading += 1;
    try {
      return await task();
    } finally {
      this.reading -= 1;
      this.admit();
    }
  }

  /** Resolves once nothing runs or waits. */
  drain(): Promise<void> {
    if (this.quiet) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private get quiet(): boolean {
    return (
      this.running === 0 &&
      this.reading === 0 &&
      this.waiting.size === 0 &&
      this.waitingAlone.length === 0
    );
  }

  private async enter<T>(party: string, alone: boolean, task: () => Promise<T> | T): Promise<T> {
    await new Promise<void>((start) => {
      if (alone) this.waitingAlone.push({ party, start });
      else this.waiting.push(party, { party, start });
      this.admit();
    });
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.runningAlone = false;
      const left = (this.held.get(party) ?? 1) - 1;
      if (left === 0) this.held.delete(party);
      else this.held.set(party, left);
      this.admit();
    }
  }

  private admit(): void {
    for (;;) {
      let next: Waiter | undefined;
      if (this.waitingAlone.length > 0) {
        // Work that waits to run alone is not overtaken: nothing starts until it has run.
        if (this.running > 0) break;
        next = this.waitingAlone.shift()!;
        this.runningAlone = true;
      } else {
        if (this.runningAlone || this.running >= this.capacity) break;
        next = this.waiting.take((party) => (this.held.get(party) ?? 0) < this.share);
        if (next === undefined) break;
      }
      this.running += 1;
      this.held.set(next.party, (this.held.get(next.party) ?? 0) + 1);
      next.start();
    }
    if (this.quiet) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
