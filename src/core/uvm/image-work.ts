/**
 * How every unit of the UVM's work meets the image: through the send gate, against freshly
 * committed state, again — alone — when another commit got to what it read first, and made
 * durable outside the gate. Sends, method installs, commands and BAT OS's bookkeeping all
 * run here, so they share one gate and one count of what is in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ImageError, SendError } from '../errors.ts';
import type { Image, Transaction } from '../image/index.ts';
import { SYSTEM } from '../model/principal.ts';
import { SendGate, SENDS_AT_ONCE } from './send-gate.ts';

/**
 * How a send runs again when another send committed to what it read first: from the second
 * try on it runs alone — nothing beside it in this process, and every other process's commits
 * held back — so it finishes. The bound is for a database that misbehaves.
 */
const MAX_ATTEMPTS = 8;
const ALONE_FROM_ATTEMPT = 2;
const MAX_BACKOFF_MS = 40;

export class ImageWork {
  /**
   * Sends run side by side, each checked at commit: while one waits for the sandbox, the
   * disk or the database, the others go on.
   */
  readonly gate: SendGate;
  /** Sends, reads and bookkeeping between their call and their answer. */
  private serving = 0;
  private closing = false;

  /** @param sendsPerPerson how many of the sends at once one person may hold (see {@link SendGate}) */
  constructor(
    private readonly image: Image,
    sendsPerPerson?: number,
  ) {
    this.gate = new SendGate(SENDS_AT_ONCE, sendsPerPerson);
  }

  /** Throws the shutdown refusal once {@link close} was called. */
  assertOpen(): void {
    if (this.closing)
      throw new SendError('internal', 'BAT OS is shutting down; try again in a moment.');
  }

  /** Counts work from its call to its answer (see {@link durable}). */
  async serve<T>(work: () => Promise<T>): Promise<T> {
    this.serving += 1;
    try {
      return await work();
    } finally {
      this.serving -= 1;
    }
  }

  /**
   * Runs one unit of work against freshly committed state, beside other sends. When another
   * send (here or in another process over a shared image) committed to what it read first,
   * its commit fails with `conflict`; its transaction is dropped and it runs again, alone
   * from the second try, a bounded number of times. `party` is whose share of the send slots
   * (and of the sandbox's workers) it takes.
   */
  async attempt<T>(party: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return attempt < ALONE_FROM_ATTEMPT
          ? await this.gate.shared(party, async () => {
              await this.image.refresh();
              return work();
            })
          : await this.gate.alone(party, () => this.alone(work));
      } catch (error) {
        if (!(error instanceof ImageError && error.code === 'conflict')) throw error;
        if (attempt >= MAX_ATTEMPTS)
          throw new SendError(
            'conflict',
            `Other sends changed the same objects ${MAX_ATTEMPTS} times while this ran, so it was not done and nothing was changed. Send it again.`,
            { cause: error },
          );
      }
      await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
    }
  }

  /**
   * Runs read-only work against committed state, beside sends: it takes no send slot, so
   * reading a message or the history never waits behind anyone's slow method.
   */
  read<T>(work: (tx: Transaction) => T | Promise<T>): Promise<T> {
    this.assertOpen();
    return this.serve(() =>
      this.gate.read(async () => {
        await this.image.refresh();
        return work(this.image.begin({ who: SYSTEM, platform: 'console' }));
      }),
    );
  }

  /**
   * Waits until a commit is durable, outside the gate. When nothing else is between its call
   * and its answer, nobody could share the sync, so it runs in this turn rather than through
   * the thread pool (whose round trip would only add latency).
   */
  durable(): Promise<void> {
    return this.image.durable(this.serving === 1 ? 'inline' : 'shared');
  }

  /** Stops taking work (see {@link assertOpen}); returns whether it was still open. */
  stop(): boolean {
    if (this.closing) return false;
    this.closing = true;
    return true;
  }

  /** One try with nothing else running here, and every other process's commits held back. */
  private async alone<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.image.holdOthersBack();
    try {
      await this.image.refresh();
      return await work();
    } finally {
      await release();
    }
  }
}
