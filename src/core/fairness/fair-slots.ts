/**
 * A bounded number of slots (sandbox workers, generations at once) shared fairly between
 * parties: one party holds at most its share, and waiters are served round robin by party
 * (see {@link RoundRobin}), not in arrival order.
 */
import { InternalError } from '../errors.ts';
import { RoundRobin } from './round-robin.ts';

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

export interface FairSlotsOptions {
  /** Slots in all. */
  readonly capacity: number;
  /** The most slots one party holds while another party waits. */
  readonly share: number;
  /**
   * Whether a party may hold more than its share while nobody else waits. Without it the
   * share is a hard bound, so a slot stays free for the next person at once (no slot can be
   * taken back from running work); with it no slot idles, and the next person waits for the
   * first slot to come back.
   */
  readonly lend?: boolean;
}

/**
 * The share that leaves a slot free while two parties (two accounts of one person, say)
 * each hold theirs: `(capacity − 1) / 2`, at least 1.
 */
export function fairShare(capacity: number): number {
  return Math.max(1, Math.floor((capacity - 1) / 2));
}

interface Waiter {
  readonly party: string;
  readonly grant: (release: Release) => void;
}

export class FairSlots {
  private readonly capacity: number;
  private readonly share: number;
  private readonly lend: boolean;
  private readonly waiting = new RoundRobin<Waiter>();
  private readonly held = new Map<string, number>();
  private inUse = 0;

  /**
   * Throws an InternalError on a capacity or share that is not a positive whole number (the
   * settings that size them are checked first).
   */
  constructor(options: FairSlotsOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1)
      throw new InternalError('capacity must be a positive whole number');
    if (!Number.isInteger(options.share) || options.share < 1)
      throw new InternalError('share must be a positive whole number');
    this.capacity = options.capacity;
    this.share = Math.min(options.share, options.capacity);
    this.lend = options.lend ?? false;
  }

  /** Slots held now, all parties together. */
  get busy(): number {
    return this.inUse;
  }

  /** How many wait for a slot. */
  get queued(): number {
    return this.waiting.size;
  }

  /** Slots `party` holds now. */
  heldBy(party: string): number {
    return this.held.get(party) ?? 0;
  }

  /**
   * Resolves with a slot for `party` once one is free and it is `party`'s turn. `signal`
   * gives up waiting: the promise rejects with the signal's reason and nothing is held.
   */
  acquire(party: string, signal?: AbortSignal): Promise<Release> {
    signal?.throwIfAborted();
    return new Promise<Release>((resolve, reject) => {
      const giveUp = (): void => {
        if (this.waiting.remove(party, waiter)) reject(signal!.reason as Error);
      };
      const waiter: Waiter = {
        party,
        grant: (release) => {
          signal?.removeEventListener('abort', giveUp);
          resolve(release);
        },
      };
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiting.push(party, waiter);
      this.admit();
    });
  }

  /** Runs `task` holding a slot for `party`. */
  async run<T>(party: string, task: () => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(party, signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private mayTake(party: string): boolean {
    return this.heldBy(party) < this.share || (this.lend && !this.waiting.othersWait(party));
  }

  private admit(): void {
    while (this.inUse < this.capacity) {
      const next = this.waiting.take((party) => this.mayTake(party));
      if (next === undefined) return;
      this.inUse += 1;
      this.held.set(next.party, this.heldBy(next.party) + 1);
      let released = false;
      next.grant(() => {
        if (released) return;
        released = true;
        this.inUse -= 1;
        const left = this.heldBy(next.party) - 1;
        if (left === 0) this.held.delete(next.party);
        else this.held.set(next.party, left);
        this.admit();
      });
    }
  }
}
