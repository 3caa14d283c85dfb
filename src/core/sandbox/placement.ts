/**
 * Where each call runs: on the host thread, in-thread (no thread to wake, which on a loaded
 * machine costs far more than a short method), or on a worker (see runner.ts). A call runs
 * in-thread only when its method is known to be short, and its party has not lately held
 * the host thread up:
 *
 * - a method new to this process runs on a worker first; once a worker run of it took at
 *   most half the in-thread deadline (by the worker's clock, less its waits for the host),
 *   it runs in-thread;
 * - a method whose in-thread run hit the deadline (and so ran again on a worker) goes to
 *   workers, until a worker run shows it short again (its arguments differ, or the machine
 *   was only busy);
 * - the deadline is QuickJS's interrupt, which a long native operation (a big sort, say)
 *   does not see: a party whose in-thread call held the host thread past
 *   {@link IN_THREAD_STALL_MS} (of CPU time, so a loaded machine's wait for a core does not
 *   count) runs on workers only for {@link IN_THREAD_PENALTY_MS}, so one person can hold
 *   everyone up at most once in that time; so does a party whose in-thread call broke the
 *   realm (out of memory, say), since starting its successor holds the host thread up.
 */

/** The in-thread interrupt deadline of one top-level call, nested sends included (ms). */
export const IN_THREAD_MS = 4;
/**
 * The heap an in-thread call may use beyond its realm's own (bytes): a long native operation
 * (a sort, JSON, a string operation), which the interrupt does not see, works on data in the
 * heap, so this bounds how long one holds the host thread (see worker/heap-cap.mjs and the
 * bench `sandbox`). A call that needs more runs again on a worker, under the full limits.
 */
export const IN_THREAD_HEAP_BYTES = 1024 * 1024;
/** An in-thread call that held the host thread longer than this stalled it (ms). */
export const IN_THREAD_STALL_MS = 25;
/** How long a party whose call stalled the host thread runs on workers only (ms). */
export const IN_THREAD_PENALTY_MS = 60_000;
/** Methods remembered at most; past it the record starts afresh (a method is only re-placed). */
const REMEMBERED = 10_000;

export class Placement {
  /** By cache key: true once short on a worker, false once too long in-thread. */
  private readonly methods = new Map<string, boolean>();
  /** Parties that stalled the host thread, with when they may run in-thread again. */
  private readonly penalties = new Map<string, number>();
  /**
   * The process's CPU time as last read, and when (performance.now): read at most once a
   * millisecond, since reading it costs as much as a short call's own work.
   */
  private cpu: NodeJS.CpuUsage = process.cpuUsage();
  private cpuAt = performance.now();

  /** @param deadlineMs the in-thread deadline (ms); 0 runs everything on workers */
  constructor(private readonly deadlineMs: number) {}

  /** Whether `party`'s call of the method under `cacheKey` may run in-thread now. */
  inThread(cacheKey: string, party: string): boolean {
    if (this.deadlineMs === 0 || this.methods.get(cacheKey) !== true) return false;
    const until = this.penalties.get(party);
    if (until === undefined) return true;
    if (performance.now() < until) return false;
    this.penalties.delete(party);
    return true;
  }

  /**
   * A worker ran the method for `ms` by its own clock: a short one may run in-thread next.
   * Returns whether it may.
   */
  ranOnWorker(cacheKey: string, ms: number): boolean {
    if (this.deadlineMs === 0 || ms > this.deadlineMs / 2) return false;
    this.remember(cacheKey, true);
    return true;
  }

  /** An in-thread run starts: returns when, for {@link ranInThread}. */
  startInThread(): number {
    const now = performance.now();
    if (now - this.cpuAt > 1) {
      this.cpu = process.cpuUsage();
      this.cpuAt = now;
    }
    return now;
  }

  /**
   * An in-thread run that started at `started` ended; `moved` when it hit the deadline and
   * runs again on a worker, `dropped` when it broke the realm, whose successor holds the
   * host thread up as it starts.
   */
  ranInThread(
    cacheKey: string,
    party: string,
    started: number,
    moved: boolean,
    dropped: boolean,
  ): void {
    const stalled = dropped || this.heldSince(started) > IN_THREAD_STALL_MS;
    if (moved || stalled) this.remember(cacheKey, false);
    if (stalled) this.penalties.set(party, performance.now() + IN_THREAD_PENALTY_MS);
  }

  /**
   * How long the host thread was held since `started` (ms): the wall time, unless the
   * process used less CPU meanwhile (the thread waited for a core). The CPU reading may be
   * up to a millisecond older than `started`, and counts the workers too: both only ever
   * overstate the time held.
   */
  private heldSince(started: number): number {
    const wall = performance.now() - started;
    if (wall <= IN_THREAD_STALL_MS) return wall;
    const used = process.cpuUsage(this.cpu);
    return Math.min(wall, (used.user + used.system) / 1000);
  }

  private remember(cacheKey: string, short: boolean): void {
    if (this.methods.size >= REMEMBERED) this.methods.clear();
    this.methods.set(cacheKey, short);
  }
}
