/**
 * What kept methods did when sent: each one's recent failing calls and last successful calls
 * (a written method's first run, the call it was written for, among them), by the method's
 * source, so the repair loop knows which methods break, and what a repair must then answer
 * (see `method-repair.ts`).
 *
 * Kept in memory, not in the image: a failed send rolls back and writes nothing, and a write
 * of its own for each failure would add a history entry and a new version of the object for
 * every error (conflicting with the sends beside it) only to keep evidence whose one use is
 * the next repair. Losing the record on a restart only delays a repair until the method
 * fails again as often; a method that is changed (by hand, by `revert`, by a repair) starts
 * its record afresh, since its source differs.
 */
import type { Caller } from '../access/principal.ts';
import type { Oid, Value } from '../model/value.ts';

/** One call of a method, as a send made it: who sent what to which receiver. */
export interface MethodCallRecord {
  readonly caller: Caller;
  readonly receiver: Oid;
  readonly args: readonly Value[];
}

/** A call that failed, and why. */
export interface FailedCall extends MethodCallRecord {
  readonly error: string;
}

/** The record of one method (one source on one holder's slot). */
export interface MethodRecord {
  readonly holder: Oid;
  readonly selector: string;
  readonly source: string;
  /**
   * The calls that failed since the method last changed, each once, the newest last (at
   * most {@link KEPT_CALLS}).
   */
  readonly failures: readonly FailedCall[];
  /** How many times it failed in all, counting those no longer kept. */
  readonly failureCount: number;
  /** The last successful calls, each once, the newest last (at most {@link KEPT_CALLS}). */
  readonly successes: readonly MethodCallRecord[];
}

/** Calls of each kind kept per method: enough to replay, little enough to replay quickly. */
export const KEPT_CALLS = 5;

/** Methods whose record is kept at once; the least recently sent is dropped first. */
const KEPT_METHODS = 2_000;

/**
 * A call whose arguments take more JSON than this is not kept (but a method's first failure,
 * so a repair has one call to answer): it bounds the record's memory (methods × calls × this).
 * A failure with such arguments still counts.
 */
const KEPT_ARGS_BYTES = 4_096;

interface Entry {
  holder: Oid;
  selector: string;
  source: string;
  failures: FailedCall[];
  failureCount: number;
  successes: MethodCallRecord[];
}

export class MethodCalls {
  private readonly records = new Map<string, Entry>();

  /** Notes that the method `source` in `holder`'s slot `selector` answered `call`. */
  succeeded(holder: Oid, selector: string, source: string, call: MethodCallRecord): void {
    const entry = this.entry(holder, selector, source);
    if (small(call)) keepLast(entry.successes, call);
  }

  /** Notes that the method `source` in `holder`'s slot `selector` failed `call`. */
  failed(holder: Oid, selector: string, source: string, call: FailedCall): void {
    const entry = this.entry(holder, selector, source);
    if (small(call) || entry.failures.length === 0) keepLast(entry.failures, call);
    entry.failureCount += 1;
  }

  /** The methods that failed at least `threshold` times (at least once) since they last changed. */
  failing(threshold: number): MethodRecord[] {
    return [...this.records.values()]
      .filter((entry) => entry.failureCount >= Math.max(1, threshold))
      .map((entry) => ({
        ...entry,
        failures: [...entry.failures],
        successes: [...entry.successes],
      }));
  }

  /** Forgets the record of the method in `holder`'s slot `selector` (it was repaired, or changed). */
  forget(holder: Oid, selector: string): void {
    this.records.delete(key(holder, selector));
  }

  /** The entry for this source, afresh when the slot held another source before. */
  private entry(holder: Oid, selector: string, source: string): Entry {
    const k = key(holder, selector);
    let entry = this.records.get(k);
    this.records.delete(k);
    if (entry?.source !== source)
      entry = { holder, selector, source, failures: [], failureCount: 0, successes: [] };
    this.records.set(k, entry);
    if (this.records.size > KEPT_METHODS)
      this.records.delete(this.records.keys().next().value as string);
    return entry;
  }
}

function small(call: MethodCallRecord): boolean {
  return JSON.stringify(call.args).length <= KEPT_ARGS_BYTES;
}

function key(holder: Oid, selector: string): string {
  return `${holder} ${selector}`;
}

/** Adds `call` as the newest, in place of the same call made before (one replay is enough). */
function keepLast<T extends MethodCallRecord>(list: T[], call: T): void {
  const same = list.findIndex(
    (kept) =>
      kept.receiver === call.receiver &&
      kept.caller.principal === call.caller.principal &&
      JSON.stringify(kept.args) === JSON.stringify(call.args),
  );
  if (same >= 0) list.splice(same, 1);
  list.push(call);
  if (list.length > KEPT_CALLS) list.shift();
}
