/**
 * Running what a lookup found: a value, a primitive in the host, or a method in the sandbox
 * with its owner's authority, and the host side of a running method (the {@link HostBridge}):
 * every read, write and nested send a method makes comes back here, into the send's one
 * transaction, checked with the authority of the method that makes it.
 */
import { createHash } from 'node:crypto';
import { methodAuthority, systemAuthority, type Authority } from '../access/authority.ts';
import type { AccessGuard } from '../access/guard.ts';
import { accessOf } from '../model/object-access.ts';
import type { Quotas } from '../access/quotas.ts';
import { mayRead, mayWrite } from '../access/rights.ts';
import { SendError } from '../errors.ts';
import type { Image, Transaction } from '../image/index.ts';
import { lookup, type Found } from '../model/lookup.ts';
import { isHiddenSlot, type Oid, type Value } from '../model/value.ts';
import type {
  HostBridge,
  MethodCall,
  MethodRunner,
  NestedSendResolution,
} from '../sandbox/contract.ts';
import { SandboxError } from '../sandbox/errors.ts';
import { assertFoundReadable, assertReadable } from './access-checks.ts';
import {
  notUnderstood,
  removeSlot,
  runPrimitive,
  slotName,
  visibleSlotNames,
  type PrimitiveCall,
  type PrimitiveTable,
} from './primitives.ts';

/** Objects this small travel with a call to their methods, so reading them is free. */
const SMALL_OBJECT_SLOTS = 32;
const SMALL_OBJECT_BYTES = 4096;

/** A `doesNotUnderstand_` the object defines itself (a method), if any. */
export function missingHandler(tx: Transaction, receiver: Oid): Found | undefined {
  const handler = lookup(receiver, 'doesNotUnderstand_', (oid) => tx.slots(oid));
  return handler?.slot.kind === 'method' ? handler : undefined;
}

/** The authority a found method runs with. */
function methodOwner(tx: Transaction, found: Found, running: Authority): Authority {
  const provenance = found.slot.kind === 'method' ? found.slot.provenance : undefined;
  return methodAuthority(provenance, accessOf(tx.slots(found.holder)).owner, running);
}

/** What an {@link Invoker} runs with. */
export interface InvokerOptions {
  /** For the size of an object, which decides whether it travels with a call. */
  readonly image: Pick<Image, 'storedBytes'>;
  readonly runner: MethodRunner;
  readonly primitives: PrimitiveTable;
  /** The per-person bounds primitives apply themselves. */
  readonly quotas: Quotas;
}

export class Invoker {
  private readonly image: Pick<Image, 'storedBytes'>;
  private readonly runner: MethodRunner;
  private readonly primitives: PrimitiveTable;
  private readonly quotas: Quotas;
  /** Sources' compile-cache keys (their hashes), so a source is hashed once. */
  private readonly sourceKeys = new Map<string, string>();

  constructor(options: InvokerOptions) {
    this.image = options.image;
    this.runner = options.runner;
    this.primitives = options.primitives;
    this.quotas = options.quotas;
  }

  /**
   * Runs what a lookup found on `self`: a value slot's value, a primitive in the host, or a
   * method in the sandbox with its owner's authority. A method's failure becomes a
   * `method-failed` {@link SendError}.
   */
  async invoke(
    tx: Transaction,
    guard: AccessGuard,
    authority: Authority,
    self: Oid,
    selector: string,
    found: Found,
    args: readonly Value[],
  ): Promise<Value> {
    const { slot } = found;
    // A value or method lookup found on a parent is that parent's: its reader decides, as for
    // a direct read. (A primitive is BAT OS's own code, the same for everyone.)
    if (slot.kind !== 'primitive') assertFoundReadable(tx, authority, self, found);
    if (slot.kind === 'value') {
      if (args.length > 0)
        throw new SendError(
          'bad-argument',
          `${selector} is a value slot and takes no arguments. To change it: setSlot ${selector} <value>`,
        );
      return slot.value;
    }
    if (slot.kind === 'primitive')
      return runPrimitive(
        slot.name,
        this.primitiveCall(tx, guard, authority, self, selector, args),
        this.primitives,
      );
    const owner = methodOwner(tx, found, authority);
    tx.ranAs ??= owner.principal;
    const run = (keepWrites: boolean) =>
      this.runner.run(
        this.methodCall(
          self,
          selector,
          slot.source,
          args,
          authority.principal,
          this.hints(tx, owner, self, keepWrites),
        ),
        this.bridge(tx, guard, owner, keepWrites),
        // The transaction's author is the party its attempt was admitted as (image-work.ts).
        tx.info.who,
      );
    const mark = tx.savepoint();
    try {
      try {
        return await run(true);
      } catch (error) {
        // A write the sandbox kept was refused: run again asking at each write, so the
        // refusal meets the line that made it.
        if (!(error instanceof SandboxError && error.reason === 'deferred-write')) throw error;
        tx.rollbackTo(mark);
        return await run(false);
      }
    } catch (error) {
      if (error instanceof SendError) throw error;
      const where = error instanceof SandboxError ? error.location : undefined;
      throw new SendError(
        'method-failed',
        `${(error as Error).message}${where ? ` (${where})` : ''}`,
        { cause: error },
      );
    }
  }

  /**
   * What a method may do without a round trip to the host: keep its writes to `self` when
   * its authority may write it now (the guard still checks each when they arrive), and read
   * `self`'s own values when the object is small and readable.
   */
  private hints(
    tx: Transaction,
    authority: Authority,
    self: Oid,
    keepWrites: boolean,
  ): Pick<MethodCall, 'writable' | 'own'> {
    if (!keepWrites) return {};
    const slots = tx.slots(self);
    const access = accessOf(slots);
    const hints: { writable?: boolean; own?: Record<string, Value> } = {};
    if (mayWrite(authority, access)) hints.writable = true;
    if (
      slots !== undefined &&
      slots.size <= SMALL_OBJECT_SLOTS &&
      this.image.storedBytes(self) <= SMALL_OBJECT_BYTES &&
      mayRead(authority, access)
    ) {
      const own: Record<string, Value> = {};
      for (const [name, slot] of slots)
        if (slot.kind === 'value' && !isHiddenSlot(name)) own[name] = slot.value;
      hints.own = own;
    }
    return hints;
  }

  private primitiveCall(
    tx: Transaction,
    guard: AccessGuard,
    authority: Authority,
    self: Oid,
    selector: string,
    args: readonly Value[],
  ): PrimitiveCall {
    return {
      tx: tx.checkedBy(guard.as(authority)),
      self,
      selector,
      args,
      authority,
      elevate: (work) => work(tx.checkedBy(guard.as(systemAuthority(authority.sender)))),
      checkMethod: (source: string) => this.runner.check(source),
      quotas: this.quotas,
    };
  }

  private methodCall(
    self: Oid,
    selector: string,
    source: string,
    args: readonly Value[],
    caller: string,
    hints: Pick<MethodCall, 'writable' | 'own'> = {},
  ): MethodCall {
    let cacheKey = this.sourceKeys.get(source);
    if (cacheKey === undefined) {
      cacheKey = createHash('sha256').update(source).digest('base64url');
      if (this.sourceKeys.size > 10_000) this.sourceKeys.clear();
      this.sourceKeys.set(source, cacheKey);
    }
    return { source, cacheKey, self, selector, args, caller, ...hints };
  }

  /**
   * The transaction's side of a running method: the only power a method has. Each request
   * names its frame (the nesting depth of the method making it), and runs with the authority
   * of that frame's method.
   */
  private bridge(
    tx: Transaction,
    guard: AccessGuard,
    top: Authority,
    keepWrites: boolean,
  ): HostBridge {
    /** The running methods: each one's authority, and the savepoint taken as it started. */
    const frames: Array<{ readonly authority: Authority; readonly mark: number }> = [
      { authority: top, mark: tx.savepoint() },
    ];
    const at = (frame: number): Authority => {
      const running = frames[frame];
      if (running === undefined)
        throw new SendError('internal', `The sandbox named frame ${frame}, which is not running.`);
      frames.length = frame + 1;
      return running.authority;
    };
    const call = (authority: Authority, oid: Oid, selector: string, args: readonly Value[]) =>
      this.primitiveCall(tx, guard, authority, oid, selector, args);
    return {
      get: (frame, oid, slot) => {
        const authority = at(frame);
        assertReadable(tx, authority, oid);
        const found = lookup(oid, slot, (o) => tx.slots(o));
        if (found?.slot.kind !== 'value') return undefined;
        assertFoundReadable(tx, authority, oid, found);
        return found.slot.value;
      },
      set: (frame, oid, slot, value) => {
        void runPrimitive('setSlot', call(at(frame), oid, 'setSlot', [slot, value]));
      },
      remove: (frame, oid, slot) => {
        const authority = at(frame);
        removeSlot(call(authority, oid, 'removeSlot', [slot]), slotName(slot));
      },
      slotNames: (frame, oid) => {
        assertReadable(tx, at(frame), oid);
        return visibleSlotNames(tx.slots(oid));
      },
      resolveSend: (frame, oid, selector, args): NestedSendResolution => {
        const authority = at(frame);
        if (!tx.exists(oid)) throw new SendError('unknown-object', `There is no object #${oid}.`);
        assertReadable(tx, authority, oid);
        const found = lookup(oid, selector, (o) => tx.slots(o));
        const target = found ?? missingHandler(tx, oid);
        if (target === undefined)
          throw notUnderstood(
            tx,
            oid,
            selector,
            'methods cannot have missing methods written for them mid-send',
          );
        if (target.slot.kind !== 'primitive') assertFoundReadable(tx, authority, oid, target);
        const callArgs = found === undefined ? [selector, [...args]] : args;
        const callSelector = found === undefined ? 'doesNotUnderstand_' : selector;
        if (target.slot.kind === 'method') {
          const owner = methodOwner(tx, target, authority);
          frames[frame + 1] = { authority: owner, mark: tx.savepoint() };
          return {
            kind: 'method',
            call: this.methodCall(
              oid,
              callSelector,
              target.slot.source,
              callArgs,
              authority.principal,
              this.hints(tx, owner, oid, keepWrites),
            ),
          };
        }
        if (target.slot.kind === 'value') {
          if (callArgs.length > 0)
            throw new SendError(
              'bad-argument',
              `${selector} is a value slot and takes no arguments.`,
            );
          return { kind: 'result', value: target.slot.value };
        }
        if (this.primitives[target.slot.name] !== undefined)
          throw new SendError(
            'bad-argument',
            `${selector} can only be sent from a message, not from inside a method.`,
          );
        const mark = tx.savepoint();
        try {
          const result = runPrimitive(
            target.slot.name,
            call(authority, oid, callSelector, callArgs),
          ) as Value;
          return { kind: 'result', value: result };
        } catch (error) {
          tx.rollbackTo(mark);
          throw error;
        }
      },
      rollback: (frame) => {
        const failed = frames[frame];
        if (failed === undefined)
          throw new SendError(
            'internal',
            `The sandbox rolled back frame ${frame}, which is not running.`,
          );
        tx.rollbackTo(failed.mark);
        // Frame 0 runs again from the start (see HostBridge.rollback), with its authority.
        frames.length = Math.max(frame, 1);
      },
    };
  }
}
