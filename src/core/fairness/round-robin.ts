/**
 * Waiters queued per party (a person, by principal) and served in turn: each party's own
 * waiters in arrival order, and among the parties the one served least recently first, so
 * one party's many waiters never hold another's few back, and a party just served goes
 * behind everyone who waits.
 */
export class RoundRobin<T> {
  /** The parties that wait, with their waiters in arrival order (parties in arrival order). */
  private readonly queues = new Map<string, T[]>();
  /** When each party was last served, by a counter; a party never served counts as 0. */
  private readonly served = new Map<string, number>();
  private clock = 0;
  private count = 0;

  /** How many wait, all parties together. */
  get size(): number {
    return this.count;
  }

  /** Queues `item` for `party`, behind that party's earlier waiters. */
  push(party: string, item: T): void {
    const queue = this.queues.get(party);
    if (queue === undefined) this.queues.set(party, [item]);
    else queue.push(item);
    this.count += 1;
  }

  /** Removes a waiter that gave up; false when it was not waiting. */
  remove(party: string, item: T): boolean {
    const queue = this.queues.get(party);
    const index = queue?.indexOf(item) ?? -1;
    if (queue === undefined || index < 0) return false;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(party);
    this.count -= 1;
    return true;
  }

  /** Whether anyone but `party` waits. */
  othersWait(party: string): boolean {
    return this.queues.size > (this.queues.has(party) ? 1 : 0);
  }

  /**
   * Takes the oldest waiter of the party served least recently among those `eligible`
   * admits; undefined when no waiting party is eligible.
   */
  take(eligible: (party: string) => boolean): T | undefined {
    let chosen: string | undefined;
    let chosenAt = Infinity;
    for (const party of this.queues.keys()) {
      const at = this.served.get(party) ?? 0;
      if (at < chosenAt && eligible(party)) {
        chosen = party;
        chosenAt = at;
      }
    }
    if (chosen === undefined) return undefined;
    const queue = this.queues.get(chosen)!;
    const item = queue.shift()!;
    if (queue.length === 0) this.queues.delete(chosen);
    this.count -= 1;
    this.served.set(chosen, ++this.clock);
    this.forget();
    return item;
  }

  /**
   * Forgets when parties that no longer wait were served, once that is earlier than any
   * waiting party's turn: should they wait again, they come first either way.
   */
  private forget(): void {
    let oldest = this.clock;
    for (const party of this.queues.keys()) oldest = Math.min(oldest, this.served.get(party) ?? 0);
    for (const [party, at] of this.served)
      if (at < oldest && !this.queues.has(party)) this.served.delete(party);
  }
}
