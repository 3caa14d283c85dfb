/**
 * What the UVM asks of a sandbox, and what the sandbox may ask of the UVM.
 *
 * The UVM owns the transaction; the sandbox owns guest code. While a method runs, every
 * slot read or write and every nested send goes back to the UVM through a {@link HostBridge},
 * synchronously from the guest's point of view, so all writes land in the one transaction.
 */
import type { Oid, Value } from '../model/value.ts';

/** A method to run: its source, a key for the compilation cache, the receiver and the arguments. */
export interface MethodCall {
  readonly source: string;
  /**
   * Identifies this exact source for the compile cache (e.g. `oid:slot:sha`): a changed slot
   * gives a new key, so a stale compiled form is never used.
   */
  readonly cacheKey: string;
  /** The receiver (`self`). */
  readonly self: Oid;
  /**
   * Whose send this is (`self.caller`): the person for a message, or the author of the method
   * that made a nested send.
   */
  readonly caller: string;
  /** The selector, for error messages. */
  readonly selector: string;
  readonly args: readonly Value[];
  /**
   * The host's word that this method may write `self` now, so the sandbox may keep its
   * writes to `self` and hand them back with its result (or with its next host request)
   * instead of one round trip each. A kept write the host then refuses fails the call with
   * reason `deferred-write`, and the host runs it again without this hint, so the error
   * comes from the line that made the write.
   */
  readonly writable?: boolean;
  /** `self`'s own value slots, when small and readable: reads of them need no round trip. */
  readonly own?: Readonly<Record<string, Value>>;
}

/** How a nested send resolved: a method the sandbox runs itself, or a result already computed. */
export type NestedSendResolution =
  | { readonly kind: 'method'; readonly call: MethodCall }
  | { readonly kind: 'result'; readonly value: Value };

/**
 * The UVM's side of a running method. Every function is synchronous and may throw a
 * {@link SendError}; the sandbox turns that into a guest exception.
 *
 * `frame` says which method asks: 0 for the method the host ran, and `n + 1` for the method
 * a send from frame `n` resolved to, so the host can apply that method's own authority.
 */
export interface HostBridge {
  get(frame: number, oid: Oid, slot: string): Value | undefined;
  set(frame: number, oid: Oid, slot: string, value: Value): void;
  remove(frame: number, oid: Oid, slot: string): void;
  slotNames(frame: number, oid: Oid): string[];
  /**
   * Looks a selector up from `oid`. A primitive runs at once and its result comes back; a
   * method comes back as a {@link MethodCall} for the sandbox to run in the same transaction,
   * as frame `frame + 1`.
   */
  resolveSend(
    frame: number,
    oid: Oid,
    selector: string,
    args: readonly Value[],
  ): NestedSendResolution;
  /**
   * The method running as `frame` failed, and its caller goes on: every write it made (and
   * the methods it called made) is taken back, as a savepoint is rolled back. Frame 0: the
   * call itself is taken back, everything it did through this bridge, because it will run
   * again from the start (an in-thread run that reached its deadline moves to a worker).
   */
  rollback(frame: number): void;
}

/** Runs method source with exactly the power a {@link HostBridge} grants. */
export interface MethodRunner {
  /**
   * Runs `call` through `host`. `party` is whose share of the sandbox's workers it takes:
   * the author of the transaction it serves (the person who sent the message, for whatever
   * methods that send reaches). Absent, the call shares one party with every other call
   * made outside a send.
   */
  run(call: MethodCall, host: HostBridge, party?: string): Promise<Value>;
  /** Checks that source is a single function expression of the method contract; throws if not. */
  check(source: string): void;
  close(): Promise<void>;
}
