/**
 * One try of a send in one transaction: open it with the caller's authority, resolve the
 * receiver and the arguments, look the selector up, run what was found through the
 * {@link Invoker} and commit. A selector nobody understands (and no `doesNotUnderstand_`
 * method) ends the try with {@link NeedsMethod}, carrying what the method writer needs.
 */
import { callerAuthority, systemAuthority, type Authority } from '../access/authority.ts';
import type { AccessGuard } from '../access/guard.ts';
import type { Caller } from '../access/principal.ts';
import { mayWrite } from '../access/rights.ts';
import { SendError } from '../errors.ts';
import type { Image, Transaction, TransactionInfo } from '../image/index.ts';
import { lookup, type Found } from '../model/lookup.ts';
import { nameOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import { renderValue } from '../model/render.ts';
import { parentOids, PARENT_SLOT, ref, type Oid, type Slot, type Value } from '../model/value.ts';
import { assertReadable } from './access-checks.ts';
import { answerInsteadOfWriting } from './before-writing.ts';
import { Invoker, missingHandler } from './invoker.ts';
import type { CallCounts } from './call-counts.ts';
import type { MethodCallRecord, MethodCalls } from './method-calls.ts';
import { failedExample } from './method-examples.ts';
import type { MethodRequest, WrittenMethod } from './method-writer.ts';
import { resolveDesignator, resolveTemplate } from './names.ts';
import type { Argument, ObjectDesignator } from './parser.ts';
import { authorOf, visibleSlotNames } from './primitives.ts';
import { keepInWorkshop, workshopMethod } from './workshop.ts';

/** A send, as the UVM receives it. */
export interface SendRequest {
  /** Who asks, and where: the send runs with this caller's authority. */
  readonly caller: Caller;
  readonly target: ObjectDesignator;
  readonly selector: string;
  readonly args: readonly Argument[];
  /** The message as the caller wrote it, for history. */
  readonly message?: string;
  /** The sender's words beyond the send itself, for the method writer. */
  readonly words?: string;
  /** Written `selector()`: write a method even for a near miss or a missing slot. */
  readonly asksForMethod?: boolean;
  /** Told when a method is being written, so a front end can show it. */
  readonly onStatus?: (text: string) => void;
  /** Aborted when the sender cancels (Ctrl+C at the console): a method being written for them stops. */
  readonly signal?: AbortSignal;
}

/** What a send produced. */
export interface SendOutcome {
  readonly value: Value;
  /** The value as a reply shows it. */
  readonly text: string;
  /** The transaction id, when the send changed the image. */
  readonly tx?: number;
  /** Whether the method that answered was written for this send. */
  readonly generated: boolean;
  /** How many methods the model wrote before one passed, when more than one. */
  readonly attempts?: number;
  /** The method the image already had that was copied instead of writing one, as the reply names it. */
  readonly reusedFrom?: string;
}

/** A lookup failure on the top-level send, carried out of its transaction to start generation. */
export class NeedsMethod {
  constructor(readonly request: MethodRequest) {}
}

/** The transaction info of a caller's send or command. */
export function transactionInfo(caller: Caller, message?: string): TransactionInfo {
  const channel = caller.thread ?? caller.channel;
  return {
    who: caller.principal,
    platform: caller.platform,
    ...(channel === undefined ? {} : { channel }),
    ...(message === undefined ? {} : { message }),
  };
}

/** A send's transaction just opened, with what it runs with. */
interface Begun {
  readonly authority: Authority;
  readonly guard: AccessGuard;
  readonly tx: Transaction;
  readonly receiver: Oid;
  readonly args: Value[];
}

/** Makes the guard of a new send (see {@link AccessGuard.forSend}). */
export type GuardFor = (authority: Authority) => AccessGuard;

export class Delivery {
  constructor(
    private readonly image: Image,
    private readonly invoker: Invoker,
    private readonly guardFor: GuardFor,
    private readonly calls: MethodCalls,
    private readonly counts: CallCounts,
  ) {}

  /** Runs the send once; throws {@link NeedsMethod} when a method must be written first. */
  async deliver(request: SendRequest): Promise<SendOutcome> {
    const { authority, guard, tx, receiver, args } = this.begin(request);
    const kept = lookup(receiver, request.selector, (oid) => tx.slots(oid));
    if (kept !== undefined)
      return this.runKept(request, { authority, guard, tx, receiver, args }, kept);
    const found = workshopMethod(tx, authority.principal, receiver, request.selector);
    if (found !== undefined)
      return this.finish(
        tx,
        await this.invoker.invoke(tx, guard, authority, receiver, request.selector, found, args),
        false,
      );
    const handler = missingHandler(tx, receiver);
    if (handler === undefined) {
      const instead = request.asksForMethod
        ? undefined
        : answerInsteadOfWriting(tx, authority, receiver, request.selector, args.length);
      if (instead !== undefined) throw instead;
      throw new NeedsMethod(this.methodRequest(tx, receiver, request, args, authority));
    }
    const value = await this.invoker.invoke(
      tx,
      guard,
      authority,
      receiver,
      'doesNotUnderstand_',
      handler,
      [request.selector, args],
    );
    return this.finish(tx, value, false);
  }

  /**
   * Runs the send with `method`, just written for it, installing it first: on the receiver
   * when that is the requester's to fill, else in the requester's workshop. When an identical
   * request installed one meanwhile, it runs with that one instead.
   */
  async install(
    request: SendRequest,
    needed: MethodRequest,
    method: WrittenMethod,
  ): Promise<SendOutcome> {
    const begun = this.begin(request);
    const { authority, guard, tx, receiver, args } = begun;
    // Someone else's identical request installed it first: use theirs.
    const existing = lookup(receiver, request.selector, (oid) => tx.slots(oid));
    if (existing !== undefined) return this.runKept(request, begun, existing);
    const inWorkshop = workshopMethod(tx, authority.principal, receiver, request.selector);
    if (inWorkshop !== undefined)
      return this.finish(
        tx,
        await this.invoker.invoke(
          tx,
          guard,
          authority,
          receiver,
          request.selector,
          inWorkshop,
          args,
        ),
        false,
      );
    // The method is the requester's: it runs with their authority, and it is kept on the
    // receiver only when that is theirs to fill (an admin's on a system object is system
    // code); anyone else's goes to the requester's workshop, charged to them.
    const author = authorOf(tx, receiver, authority);
    const onReceiver = accessOf(tx.slots(receiver)).owner === author;
    const slot = {
      kind: 'method',
      source: method.source,
      provenance: {
        ...method.provenance,
        owner: author,
        ...(needed.readOnly ? { readOnly: true } : {}),
      },
    } as const;
    // The caller asked, but installing is BAT OS's act: the rule above decided it may.
    const system = tx.checkedBy(guard.as(systemAuthority(authority.sender)));
    let kept: Found = { holder: receiver, slot };
    if (onReceiver) system.setSlot(receiver, request.selector, slot);
    else kept = keepInWorkshop(system, author, receiver, request.selector, slot);
    // Its examples first, each rolled back to here, so only the send's own run is kept.
    const failed = await failedExample(request.selector, slot.provenance.examples ?? [], (ex) =>
      this.rolledBack(tx, () =>
        this.invoker.invoke(tx, guard, authority, receiver, request.selector, kept, ex),
      ),
    );
    if (failed !== undefined)
      throw new SendError(
        'method-failed',
        `The method the model wrote for ${request.selector} failed ${failed}, so it was not kept.`,
      );
    let value: Value;
    try {
      value = await this.invoker.invoke(
        tx,
        guard,
        authority,
        receiver,
        request.selector,
        kept,
        args,
      );
    } catch (error) {
      throw new SendError(
        'method-failed',
        `The method the model wrote for ${request.selector} failed when run, so it was not kept: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const outcome = await this.finish(tx, value, true);
    // Its first run is a call like any later one: a repair must answer it too.
    if (onReceiver)
      this.noteSucceeded(kept.holder, request.selector, slot.source, {
        caller: request.caller,
        receiver,
        args,
      });
    return outcome;
  }

  /**
   * Runs what the lookup found in the image and commits; a method's success or failure
   * (its run, not a refusal) is noted in {@link MethodCalls} for the repair loop, and counted
   * in {@link CallCounts} for the image page. A workshop's methods answer one person only, and are not noted.
   */
  private async runKept(request: SendRequest, send: Begun, found: Found): Promise<SendOutcome> {
    const { authority, guard, tx, receiver, args } = send;
    const method = found.slot.kind === 'method' ? found.slot : undefined;
    const call = { caller: request.caller, receiver, args };
    try {
      const outcome = await this.finish(
        tx,
        await this.invoker.invoke(tx, guard, authority, receiver, request.selector, found, args),
        false,
      );
      if (method) this.noteSucceeded(found.holder, request.selector, method.source, call);
      return outcome;
    } catch (error) {
      if (method && error instanceof SendError && error.code === 'method-failed') {
        this.calls.failed(found.holder, request.selector, method.source, {
          ...call,
          error: error.message,
        });
        this.counts.called(found.holder, request.selector, true);
      }
      throw error;
    }
  }

  /** Notes a committed run of a kept method (not a workshop's) for the repair loop and the counts. */
  private noteSucceeded(holder: Oid, selector: string, source: string, call: MethodCallRecord) {
    this.calls.succeeded(holder, selector, source, call);
    this.counts.called(holder, selector, false);
  }

  /**
   * Runs `call` as its caller sent it, with `slot` as `holder`'s `selector` (a candidate
   * method, or the current one when `slot` is undefined), in a transaction that is never
   * committed: what the method returns, or its {@link SendError}.
   */
  async trial(
    call: MethodCallRecord,
    holder: Oid,
    selector: string,
    slot?: Extract<Slot, { kind: 'method' }>,
  ): Promise<Value> {
    const authority = callerAuthority(call.caller);
    const guard = this.guardFor(authority);
    const tx = this.image.begin(transactionInfo(call.caller), guard);
    if (!tx.exists(call.receiver))
      throw new SendError('unknown-object', `There is no object #${call.receiver} any more.`);
    assertReadable(tx, authority, call.receiver);
    if (slot !== undefined)
      tx.checkedBy(guard.as(systemAuthority(authority.sender))).setSlot(holder, selector, slot);
    const found = lookup(call.receiver, selector, (oid) => tx.slots(oid));
    if (found === undefined)
      throw new SendError('not-understood', `#${call.receiver} no longer understands ${selector}.`);
    return this.invoker.invoke(tx, guard, authority, call.receiver, selector, found, call.args);
  }

  /** Runs `work` in `tx`, then undoes whatever it did there. */
  private async rolledBack<T>(tx: Transaction, work: () => Promise<T>): Promise<T> {
    const mark = tx.savepoint();
    try {
      return await work();
    } finally {
      tx.rollbackTo(mark);
    }
  }

  /**
   * Opens a send's transaction with the caller's authority, and resolves its receiver (which
   * the caller must be able to read) and its arguments.
   */
  private begin(request: SendRequest): Begun {
    const authority = callerAuthority(request.caller);
    const guard = this.guardFor(authority);
    const tx = this.image.begin(transactionInfo(request.caller, request.message), guard);
    const receiver = resolveDesignator(tx, request.target, request.caller.principal);
    assertReadable(tx, authority, receiver);
    const args = request.args.map((arg) => argumentValue(tx, arg));
    return { authority, guard, tx, receiver, args };
  }

  private async finish(tx: Transaction, value: Value, generated: boolean): Promise<SendOutcome> {
    const text = renderValue(value, (oid) => nameOf(tx, oid));
    const id = await this.image.commit(tx);
    return id === undefined ? { value, text, generated } : { value, text, tx: id, generated };
  }

  private methodRequest(
    tx: Transaction,
    oid: Oid,
    request: SendRequest,
    args: readonly Value[],
    authority: Authority,
  ): MethodRequest {
    return {
      ...describeObject(tx, oid),
      selector: request.selector,
      args,
      ...(request.words === undefined ? {} : { words: request.words }),
      requestedBy: request.caller.principal,
      readOnly: !mayWrite(authority, accessOf(tx.slots(oid))),
    };
  }
}

/** An object as the method writer is told about it: its name, slots and parents. */
export function describeObject(
  tx: Transaction,
  oid: Oid,
): Pick<MethodRequest, 'oid' | 'name' | 'slotNames' | 'parents'> {
  const slots = tx.slots(oid) ?? new Map();
  const parentSlot = slots.get(PARENT_SLOT);
  const parents = parentSlot?.kind === 'value' ? parentOids(parentSlot.value) : [];
  return {
    oid,
    name: nameOf(tx, oid),
    slotNames: visibleSlotNames(slots),
    parents: parents.map((p) => ({ oid: p, name: nameOf(tx, p) })),
  };
}

function argumentValue(tx: Transaction, arg: Argument): Value {
  if (arg.kind === 'value') return arg.value;
  if (arg.kind === 'template') return resolveTemplate(tx, arg.value);
  return ref(resolveDesignator(tx, arg));
}
