/**
 * The Universal Virtual Machine: delivers sends to objects in the living image, and serves
 * the commands (history, undo, collect, backup, audit), each with the caller's context.
 *
 * One send is one transaction: look the selector up along the delegation chain, run what
 * was found (a primitive in the host, a method in the sandbox) with every write buffered in
 * the transaction, and commit durably — or, on any error, drop the transaction so the image
 * is exactly as it was. A selector nobody understands goes to `doesNotUnderstand_`; when the
 * primitive one is reached and a {@link MethodWriter} is present, the method is written
 * outside any transaction and then installed and run in a short one.
 *
 * Who may do what is decided here, once (see src/core/access): every write of a send passes
 * an {@link AccessGuard}; a send runs with its caller's authority and a method with its
 * owner's, so a method can never do what its owner could not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { callerAuthority, systemAuthority, type Authority } from '../access/authority.ts';
import { assertCommand } from '../access/commands.ts';
import { AccessGuard, type SlotRule } from '../access/guard.ts';
import { ACCESS_SLOT, accessOf, READERS_SLOT } from '../model/object-access.ts';
import { type Caller } from '../access/principal.ts';
import { SYSTEM } from '../model/principal.ts';
import { DEFAULT_QUOTAS, type Quotas } from '../access/quotas.ts';
import { mayRead, mayWrite } from '../access/rights.ts';
import { findWrites } from '../analysis/index.ts';
import { ImageError, SendError } from '../errors.ts';
import type {
  Claim,
  CollectResult,
  HistoryEntry,
  Image,
  ImageView,
  Transaction,
  TransactionInfo,
} from '../image/index.ts';
import type { FrontEndLedger, Platform } from '../protocol.ts';
import { lookup, type Found } from '../model/lookup.ts';
import { primordialObjects, TRAIT_PRIMITIVES, TRAITS } from '../model/primordial.ts';
import { objectLabel, renderValue } from '../model/render.ts';
import { parentOids, PARENT_SLOT, ref, type Oid, type Value } from '../model/value.ts';
import type { MethodRunner } from '../sandbox/contract.ts';
import { RETAINED_SHARE, type HistoryRetention, type Retained } from './retention.ts';
import { assertReadable } from './access-checks.ts';
import { historyText } from './history-text.ts';
import { Invoker, missingHandler } from './invoker.ts';
import type { MethodRequest, MethodWriter, WrittenMethod } from './method-writer.ts';
import { resolveDesignator, resolveTemplate } from './names.ts';
import { labelOf, nameOf } from '../model/name-table.ts';
import type { Argument, ObjectDesignator } from './parser.ts';
import { authorOf, visibleSlotNames, type PrimitiveTable } from './primitives.ts';
import { keepInWorkshop, workshopMethod } from './workshop.ts';
import { SendGate, SENDS_AT_ONCE } from './send-gate.ts';
import { undoRefusal } from './undo-rule.ts';
import { undoObstacleError } from './undo-words.ts';

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
  /** Told when a method is being written, so a front end can show it. */
  readonly onStatus?: (text: string) => void;
  /** Aborted when the sender cancels (Ctrl+C at the console): a method being written for them stops. */
  readonly signal?: AbortSignal;
}

/** A method being written, and who waits for it. */
interface Writing {
  /** The method, or `undefined` when another process over the image wrote it first. */
  readonly method: Promise<WrittenMethod | undefined>;
  /** This process's claim to write it, across processes. */
  readonly claimed: Promise<Claim>;
  readonly controller: AbortController;
  /** How many senders still wait for it (one who cancels stops counting). */
  waiting: number;
}

/** Which history {@link Uvm.history} shows; nothing named, the last 10 people made. */
export interface HistoryQuery {
  /** The last 20 transactions that changed this object, BAT OS's own included. */
  readonly object?: ObjectDesignator;
  /** This one transaction. */
  readonly tx?: number;
  /** The last 20 transactions of the whole image, BAT OS's own (boot, model records) included. */
  readonly all?: boolean;
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
}

export interface UvmOptions {
  readonly image: Image;
  readonly runner: MethodRunner;
  /** Writes missing methods; absent when no model is loaded. */
  readonly writer?: MethodWriter;
  /** Why there is no writer, for the reply (e.g. how to get a model). */
  readonly noWriterReason?: string;
  /**
   * Primitives beyond the traits' own, by name. They may be asynchronous, so they can be
   * sent from a message but not from inside a running method.
   */
  readonly primitives?: PrimitiveTable;
  /** Bounds on what one send or one person may add (default {@link DEFAULT_QUOTAS}). */
  readonly quotas?: Quotas;
  /** Rules other parts of BAT OS set on slots of theirs (the personas' aliases). */
  readonly slotRules?: readonly SlotRule[];
  /**
   * How many of the sends at once one person may hold (default: a share that leaves a slot
   * free while two people hold theirs, see {@link SendGate}).
   */
  readonly sendsPerPerson?: number;
}

/** Transactions forgotten at once by retention, while sends wait. */
const RETENTION_BATCH = 1_000;
/**
 * How a send runs again when another send committed to what it read first: from the second
 * try on it runs alone — nothing beside it in this process, and every other process's commits
 * held back — so it finishes. The bound is for a database that misbehaves.
 */
const MAX_ATTEMPTS = 8;
const ALONE_FROM_ATTEMPT = 2;
const MAX_BACKOFF_MS = 40;

/** A lookup failure on the top-level send, carried out of its transaction to start generation. */
class NeedsMethod {
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

export class Uvm implements FrontEndLedger {
  private readonly image: Image;
  private readonly runner: MethodRunner;
  private readonly writer: MethodWriter | undefined;
  private readonly noWriterReason: string;
  private readonly invoker: Invoker;
  private readonly quotas: Quotas;
  private readonly slotRules: readonly SlotRule[];
  /**
   * Sends run side by side, each checked at commit: while one waits for the sandbox, the
   * disk or the database, the others go on.
   */
  private readonly gate: SendGate;
  /** Sends, reads and bookkeeping between their call and their answer. */
  private serving = 0;
  /** Methods being written, shared by everyone who asked for the same one meanwhile. */
  private readonly writing = new Map<string, Writing>();
  private closing = false;

  constructor(options: UvmOptions) {
    this.image = options.image;
    this.runner = options.runner;
    this.writer = options.writer;
    this.noWriterReason = (options.noWriterReason ?? 'no model is loaded to write it').replace(
      /\.$/,
      '',
    );
    this.quotas = options.quotas ?? DEFAULT_QUOTAS;
    this.invoker = new Invoker({
      image: this.image,
      runner: this.runner,
      primitives: options.primitives ?? {},
      quotas: this.quotas,
    });
    this.slotRules = options.slotRules ?? [];
    this.gate = new SendGate(SENDS_AT_ONCE, options.sendsPerPerson);
  }

  /**
   * Creates the primordial objects in an empty image, and gives an existing image's traits
   * the primitives this version added.
   */
  async bootstrap(info: TransactionInfo): Promise<void> {
    await this.exclusive(info, (tx) => {
      if (!tx.exists(0)) {
        for (const slots of primordialObjects()) tx.create(slots);
        return;
      }
      for (const name of TRAIT_PRIMITIVES)
        if (tx.getSlot(TRAITS, name) === undefined)
          tx.setSlot(TRAITS, name, { kind: 'primitive', name });
      // The first owners migration took traits for a conversation thread (by its parent
      // slot) and made it private with readers; traits is everyone's to read.
      if (tx.getSlot(TRAITS, READERS_SLOT) !== undefined) {
        tx.removeSlot(TRAITS, READERS_SLOT);
        tx.removeSlot(TRAITS, ACCESS_SLOT);
      }
    });
  }

  /** Delivers one send. Rejects with a {@link SendError}; the image is then unchanged. */
  send(request: SendRequest): Promise<SendOutcome> {
    this.assertOpen();
    return this.serve(async () => {
      let outcome: SendOutcome;
      try {
        outcome = await this.attempt(request.caller.principal, () => this.deliver(request));
      } catch (error) {
        if (!(error instanceof NeedsMethod)) throw error;
        outcome = await this.writeAndDeliver(request, error.request);
      }
      // Outside the gate: the next sends run while this one's group is synced.
      if (outcome.tx !== undefined) await this.durable();
      return outcome;
    });
  }

  /**
   * Runs BAT OS's own bookkeeping (installing personas, keeping conversation turns, the
   * model record) alone against the image in one transaction, with the system's authority,
   * and commits it. Every write still passes the guard's quotas and slot rules.
   */
  exclusive<T>(
    info: TransactionInfo,
    work: (tx: Transaction) => T | Promise<T>,
  ): Promise<{ result: T; tx?: number }> {
    this.assertOpen();
    return this.serve(async () => {
      const done = await this.attempt(info.who, async () => {
        const tx = this.image.begin(info, this.guard(systemAuthority()));
        const result = await work(tx);
        const id = await this.image.commit(tx);
        return id === undefined ? { result } : { result, tx: id };
      });
      if (done.tx !== undefined) await this.durable();
      return done;
    });
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
        return work(this.image.begin({ who: 'system', platform: 'console' }));
      }),
    );
  }

  /**
   * Runs read-only work over the whole committed image (ALFRED's audit) alongside sends:
   * it must tolerate commits between its reads, as the audit's snapshot does.
   */
  async examine<T>(work: (image: ImageView) => T | Promise<T>): Promise<T> {
    this.assertOpen();
    return work(this.image);
  }

  /**
   * The last changes, newest first, as text: by default the last 10 transactions people
   * made (BAT OS's own left out), with `all` the last 20 of any; or those that changed one
   * object, or one transaction (see {@link HistoryQuery}). Another person's transaction that
   * touched something private shows who and when, not what.
   */
  async history(caller: Caller, query: HistoryQuery = {}): Promise<string> {
    assertCommand(caller, 'history');
    return this.read(async (tx) => {
      const authority = callerAuthority(caller);
      const oid =
        query.object === undefined
          ? undefined
          : resolveDesignator(tx, query.object, caller.principal);
      if (oid !== undefined) assertReadable(tx, authority, oid);
      const people = oid === undefined && query.tx === undefined && query.all !== true;
      const entries = await this.image.history(
        query.tx !== undefined
          ? { tx: query.tx, limit: 1 }
          : oid !== undefined
            ? { oid, limit: 20 }
            : { limit: people ? 10 : 20, withoutSystem: people },
      );
      if (entries.length === 0)
        return query.tx !== undefined
          ? `There is no transaction ${query.tx} (\`collect\` with days forgets old ones). \`history\` lists the latest.`
          : oid !== undefined
            ? `Nothing has changed ${labelOf(tx, oid)} yet.`
            : people
              ? "No transactions yet but BAT OS's own: `history all` shows them."
              : 'No transactions yet.';
      const shown = entries.map((entry) =>
        this.mayReadEntry(tx, authority, entry) ? entry : { ...entry, hidden: true },
      );
      const text = historyText(shown, (o) => nameOf(tx, o), oid);
      return people
        ? `${text}\n(the last ${entries.length} by people, newest first; \`history all\` adds BAT OS's own, \`history <tx>\` shows one transaction, \`history <object>\` one object's)`
        : text;
    });
  }

  /**
   * Reverts one of the caller's own transactions (the newest by default; admins may name
   * anyone's). Returns the transaction undone and the one that undid it.
   */
  undo(caller: Caller, txId?: number): Promise<{ undone: number; tx?: number }> {
    assertCommand(caller, 'undo');
    this.assertOpen();
    return this.serve(() => this.undoNow(caller, txId));
  }

  private async undoNow(caller: Caller, txId?: number): Promise<{ undone: number; tx?: number }> {
    const done = await this.attempt(caller.principal, async () => {
      const info = transactionInfo(caller, txId === undefined ? 'undo' : `undo ${txId}`);
      const target = txId ?? (caller.admin ? undefined : await this.lastOwnChange(caller));
      if (target === undefined && !caller.admin)
        throw new SendError(
          'undo-refused',
          'You have nothing left to undo (your conversation turns are kept by BAT OS, not undone).',
        );
      const { tx: prepared, obstacle } = await this.image.prepareUndo(
        info,
        target,
        // The caller's undo: it counts toward their history budget unless they are an admin.
        this.guard({ ...systemAuthority(caller.principal), senderAdmin: caller.admin }),
      );
      if (obstacle !== undefined) throw undoObstacleError(obstacle);
      const undone = prepared.info.undoOf!;
      const [entry] = await this.image.history({ tx: undone, limit: 1 });
      if (!caller.admin && entry?.who !== caller.principal)
        throw new SendError(
          'not-allowed',
          `Transaction ${undone} was made by someone else; only admins may undo it.`,
        );
      if (!caller.admin && entry !== undefined) {
        const why = undoRefusal(prepared, callerAuthority(caller), entry);
        if (why !== undefined) throw new SendError('undo-refused', why);
      }
      const id = await this.image.commit(prepared);
      return id === undefined ? { undone } : { undone, tx: id };
    });
    if (done.tx !== undefined) await this.durable();
    return done;
  }

  /**
   * A person's last change they may undo themselves: their newest transaction whose every
   * write was theirs to make (a conversation turn is BAT OS's bookkeeping, not their change).
   */
  private async lastOwnChange(caller: Caller): Promise<number | undefined> {
    const entries = await this.image.history({ undoableBy: caller.principal, limit: 200 });
    // Already inside the send gate: a view of committed state, not another read.
    const view = this.image.begin({ who: SYSTEM, platform: caller.platform });
    const authority = callerAuthority(caller);
    return entries.find((entry) => undoRefusal(view, authority, entry) === undefined)?.tx;
  }

  /** Admins: deletes what the root cannot reach (and, with `days`, older history). */
  collect(caller: Caller, keepHistoryDays?: number): Promise<CollectResult> {
    assertCommand(caller, 'collect');
    this.assertOpen();
    return this.gate.alone(caller.principal, () =>
      this.image.collect(keepHistoryDays === undefined ? {} : { keepHistoryDays }),
    );
  }

  /**
   * Forgets history beyond `retention`, oldest first: what is older than its days, and
   * while history holds more than its bytes, down to {@link RETAINED_SHARE} of them. It
   * forgets a batch at a time, each alone (sends wait for one batch, not for the whole).
   */
  async retainHistory(retention: HistoryRetention): Promise<Retained> {
    this.assertOpen();
    const before =
      retention.keepDays > 0
        ? new Date(Date.now() - retention.keepDays * 86_400_000).toISOString()
        : '';
    const bytesBefore = await this.image.historySize();
    let excess =
      bytesBefore > retention.maxBytes
        ? bytesBefore - Math.floor(retention.maxBytes * RETAINED_SHARE)
        : 0;
    let byAge = 0;
    let bySize = 0;
    for (let more = true; more;) {
      let through: number | undefined;
      const batch = await this.image.oldestTransactions(RETENTION_BATCH);
      more = batch.length === RETENTION_BATCH;
      for (const { tx, at, bytes } of batch) {
        if (at < before) byAge += 1;
        else if (excess > 0) bySize += 1;
        else {
          more = false;
          break;
        }
        excess -= bytes;
        through = tx;
      }
      if (through === undefined) break;
      const forgotten = through;
      await this.gate.alone(SYSTEM, () => this.image.forgetHistory({ through: forgotten }));
    }
    return { byAge, bySize, bytesBefore, bytesAfter: await this.image.historySize() };
  }

  /** Admins: copies the live image to `file`. */
  backup(caller: Caller, file: string): Promise<void> {
    assertCommand(caller, 'backup');
    this.assertOpen();
    return this.gate.alone(caller.principal, () => this.image.backup(file));
  }

  /** Stops taking sends, waits for those in flight, and closes the sandbox and the image. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.allSettled([...this.writing.values()].map((w) => w.method));
    await this.gate.drain();
    await this.runner.close();
    await this.image.close();
  }

  /** True for the first claim of a platform event across every process over the image. */
  firstDelivery(platform: Platform, eventId: string): Promise<boolean> {
    this.assertOpen();
    return this.image.ledger.firstDelivery(platform, eventId);
  }

  /** Remembers, in the image, that the bot answered in `thread`. */
  rememberThread(platform: Platform, thread: string): Promise<void> {
    this.assertOpen();
    return this.image.ledger.rememberThread(platform, thread);
  }

  /** Whether the bot answered in `thread`, in any process, before any restart. */
  answeredIn(platform: Platform, thread: string): Promise<boolean> {
    this.assertOpen();
    return this.image.ledger.answeredIn(platform, thread);
  }

  /**
   * Runs one unit of work against freshly committed state, beside other sends. When another
   * send (here or in another process over a shared image) committed to what it read first,
   * its commit fails with `conflict`; its transaction is dropped and it runs again, alone
   * from the second try, a bounded number of times. `party` is whose share of the send slots
   * (and of the sandbox's workers) it takes.
   */
  private async attempt<T>(party: string, work: () => Promise<T>): Promise<T> {
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

  /** Counts work from its call to its answer (see {@link durable}). */
  private async serve<T>(work: () => Promise<T>): Promise<T> {
    this.serving += 1;
    try {
      return await work();
    } finally {
      this.serving -= 1;
    }
  }

  /**
   * Waits until this send's commit is durable, outside the gate. When nothing else is
   * between its call and its answer, nobody could share the sync, so it runs in this turn
   * rather than through the thread pool (whose round trip would only add latency).
   */
  private durable(): Promise<void> {
    return this.image.durable(this.serving === 1 ? 'inline' : 'shared');
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

  private guard(authority: Authority): AccessGuard {
    return new AccessGuard(authority, {
      quotas: this.quotas,
      rules: this.slotRules,
      ownedObjects: (owner) => this.image.ownedObjects(owner),
      storedBytes: (oid) => this.image.storedBytes(oid),
      historyBytesToday: (who) => this.image.historyBytesToday(who),
    });
  }

  private mayReadEntry(tx: Transaction, authority: Authority, entry: HistoryEntry): boolean {
    if (authority.admin || entry.who === authority.principal) return true;
    if (entry.private) return false;
    return entry.changes.every(
      (change) => !tx.exists(change.oid) || mayRead(authority, accessOf(tx.slots(change.oid))),
    );
  }

  /**
   * Opens a send's transaction with the caller's authority, and resolves its receiver (which
   * the caller must be able to read) and its arguments.
   */
  private begin(request: SendRequest) {
    const authority = callerAuthority(request.caller);
    const guard = this.guard(authority);
    const tx = this.image.begin(transactionInfo(request.caller, request.message), guard);
    const receiver = resolveDesignator(tx, request.target, request.caller.principal);
    assertReadable(tx, authority, receiver);
    const args = request.args.map((arg) => this.argumentValue(tx, arg));
    return { authority, guard, tx, receiver, args };
  }

  private async deliver(request: SendRequest): Promise<SendOutcome> {
    const { authority, guard, tx, receiver, args } = this.begin(request);
    const found =
      lookup(receiver, request.selector, (oid) => tx.slots(oid)) ??
      workshopMethod(tx, authority.principal, receiver, request.selector);
    let value: Value;
    if (found !== undefined) {
      value = await this.invoker.invoke(
        tx,
        guard,
        authority,
        receiver,
        request.selector,
        found,
        args,
      );
    } else {
      const handler = missingHandler(tx, receiver);
      if (handler === undefined)
        throw new NeedsMethod(this.methodRequest(tx, receiver, request, args, authority));
      value = await this.invoker.invoke(
        tx,
        guard,
        authority,
        receiver,
        'doesNotUnderstand_',
        handler,
        [request.selector, args],
      );
    }
    return this.finish(tx, value, false);
  }

  private async writeAndDeliver(request: SendRequest, needed: MethodRequest): Promise<SendOutcome> {
    const label = objectLabel(needed.oid, needed.name);
    if (this.writer === undefined)
      throw new SendError(
        'no-model',
        `${label} does not understand ${needed.selector}, and ${this.noWriterReason}.`,
      );
    request.onStatus?.(`${label} does not understand ${needed.selector} — writing it…`);
    const key = `${needed.oid}:${needed.selector}:${needed.readOnly ? 'read' : 'write'}`;
    let writing = this.writing.get(key);
    if (writing === undefined) {
      const controller = new AbortController();
      // Across processes over one image, only the one holding the claim writes the method.
      const claimed = this.image.claim(key, controller.signal);
      const method = claimed
        .then(async (claim) =>
          claim.waited && (await this.understands(needed.oid, needed.selector))
            ? undefined
            : this.writer!.write(needed, controller.signal),
        )
        .finally(() => this.writing.delete(key));
      writing = { method, controller, claimed, waiting: 0 };
      this.writing.set(key, writing);
    }
    try {
      return await this.installAndDeliver(
        request,
        needed,
        await this.waitFor(writing, request.signal),
      );
    } finally {
      // Held until the first install is committed, so no other process writes it meanwhile.
      void writing.claimed.then(
        (claim) => claim.release(),
        () => {},
      );
    }
  }

  /**
   * Runs the send with the method just written, installing it first; or, when another
   * process over the image wrote it (`method` undefined), with theirs.
   */
  private async installAndDeliver(
    request: SendRequest,
    needed: MethodRequest,
    method: WrittenMethod | undefined,
  ): Promise<SendOutcome> {
    if (method === undefined) {
      try {
        return await this.attempt(request.caller.principal, () => this.deliver(request));
      } catch (error) {
        if (!(error instanceof NeedsMethod)) throw error;
        return this.writeAndDeliver(request, error.request);
      }
    }
    const label = objectLabel(needed.oid, needed.name);
    if (needed.readOnly) {
      const writes = findWrites(method.source);
      if (writes.length > 0)
        throw new SendError(
          'not-allowed',
          `The model wrote ${needed.selector} for ${label}, but it changes the object (${writes[0]!.message}), and ${label} is not yours: a method written for you on someone else's object may only read. Nothing was kept. Clone it and ask your clone: \`${label.split(' ')[0]} clone\`, then \`#<new oid> name my_${needed.name ?? 'object'}\`, then \`my_${needed.name ?? 'object'} ${needed.selector}\`.`,
        );
    }
    return this.attempt(request.caller.principal, async () => {
      const { authority, guard, tx, receiver, args } = this.begin(request);
      const existing =
        lookup(receiver, request.selector, (oid) => tx.slots(oid)) ??
        workshopMethod(tx, authority.principal, receiver, request.selector);
      if (existing !== undefined) {
        // Someone else's identical request installed it first: use theirs.
        return this.finish(
          tx,
          await this.invoker.invoke(
            tx,
            guard,
            authority,
            receiver,
            request.selector,
            existing,
            args,
          ),
          false,
        );
      }
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
      guard.authority = systemAuthority(authority.sender);
      let kept: Found = { holder: receiver, slot };
      if (onReceiver) tx.setSlot(receiver, request.selector, slot);
      else kept = keepInWorkshop(tx, author, receiver, request.selector, slot);
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
      return this.finish(tx, value, true);
    });
  }

  /** Whether `oid` understands `selector` as committed now (another process may have taught it). */
  private understands(oid: Oid, selector: string): Promise<boolean> {
    return this.read((tx) => lookup(oid, selector, (o) => tx.slots(o)) !== undefined);
  }

  /**
   * Waits for a method being written. A sender who cancels stops waiting at once; the
   * writing itself stops when nobody waits for it any more.
   */
  private async waitFor(
    writing: Writing,
    signal: AbortSignal | undefined,
  ): Promise<WrittenMethod | undefined> {
    writing.waiting += 1;
    if (signal === undefined) return writing.method;
    let onAbort = () => {};
    const cancelled = new Promise<never>((_, reject) => {
      onAbort = () => {
        writing.waiting -= 1;
        if (writing.waiting === 0) writing.controller.abort();
        reject(
          new SendError(
            'cancelled',
            'Cancelled: the method was not written, and nothing was changed.',
          ),
        );
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([writing.method, cancelled]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async finish(tx: Transaction, value: Value, generated: boolean): Promise<SendOutcome> {
    const text = renderValue(value, (oid) => nameOf(tx, oid));
    const id = await this.image.commit(tx);
    return id === undefined ? { value, text, generated } : { value, text, tx: id, generated };
  }

  private argumentValue(tx: Transaction, arg: Argument): Value {
    if (arg.kind === 'value') return arg.value;
    if (arg.kind === 'template') return resolveTemplate(tx, arg.value);
    return ref(resolveDesignator(tx, arg));
  }

  private methodRequest(
    tx: Transaction,
    oid: Oid,
    request: SendRequest,
    args: readonly Value[],
    authority: Authority,
  ): MethodRequest {
    const slots = tx.slots(oid) ?? new Map();
    const parentSlot = slots.get(PARENT_SLOT);
    const parents = parentSlot?.kind === 'value' ? parentOids(parentSlot.value) : [];
    return {
      oid,
      name: nameOf(tx, oid),
      slotNames: visibleSlotNames(slots),
      parents: parents.map((p) => ({ oid: p, name: nameOf(tx, p) })),
      selector: request.selector,
      args,
      ...(request.words === undefined ? {} : { words: request.words }),
      requestedBy: request.caller.principal,
      readOnly: !mayWrite(authority, accessOf(slots)),
    };
  }

  private assertOpen(): void {
    if (this.closing)
      throw new SendError('internal', 'BAT OS is shutting down; try again in a moment.');
  }
}
