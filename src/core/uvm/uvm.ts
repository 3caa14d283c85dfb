/**
 * The Universal Virtual Machine: the one application service the bot and the personas call.
 * It delivers sends to objects in the living image, serves the commands (history, undo,
 * collect, backup), and runs BAT OS's own bookkeeping — each with the caller's context.
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
 *
 * This class is the face; the work is done by its parts: {@link ImageWork} (the gate,
 * retries, durability), {@link Delivery} (one try of a send), {@link MethodWriting} and
 * {@link Commands}.
 */
import { systemAuthority } from '../access/authority.ts';
import { AccessGuard, type SlotRule } from '../access/guard.ts';
import type { Caller } from '../access/principal.ts';
import type { Principal } from '../model/principal.ts';
import type { Oid } from '../model/value.ts';
import { DEFAULT_QUOTAS, type Quotas } from '../access/quotas.ts';
import type {
  CollectResult,
  CommittedChange,
  FoundMemory,
  NearMemory,
  Image,
  ImageView,
  Transaction,
  TransactionInfo,
} from '../image/index.ts';
import { ACCESS_SLOT, READERS_SLOT } from '../model/object-access.ts';
import { primordialObjects, TRAIT_PRIMITIVES, TRAITS } from '../model/primordial.ts';
import type { MethodRunner } from '../sandbox/contract.ts';
import type { AuditsView } from './audits.ts';
import { CallCounts } from './call-counts.ts';
import { Commands, type HistoryQuery } from './commands.ts';
import {
  Delivery,
  NeedsMethod,
  type GuardFor,
  type SendOutcome,
  type SendRequest,
} from './delivery.ts';
import type { ImageStats } from './image-stats.ts';
import { ImageWork } from './image-work.ts';
import type { ObjectView } from './inspection.ts';
import type { ThreadView } from './threads.ts';
import { Invoker } from './invoker.ts';
import { DEFAULT_METHOD_ATTEMPTS, type MethodWriter } from './method-writer.ts';
import { MethodCalls } from './method-calls.ts';
import { MethodRepair, type RepairNotice } from './method-repair.ts';
import { MethodWriting } from './method-writing.ts';
import type { ObjectDesignator } from './parser.ts';
import type { PrimitiveTable } from './primitives.ts';
import { SignInDesk } from './sign-in-desk.ts';
import type { HistoryRetention, Retained } from './retention.ts';

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
   * free while two people hold theirs, see `send-gate.ts`).
   */
  readonly sendsPerPerson?: number;
  /**
   * Methods the model may write for one send: each that fails its checks or its first run
   * goes back to it with the error (default {@link DEFAULT_METHOD_ATTEMPTS}).
   */
  readonly methodAttempts?: number;
}

export class Uvm {
  /** The image browser's sign-ins, kept in the image, with who may do what with them. */
  readonly signIns: SignInDesk;
  private readonly image: Image;
  private readonly runner: MethodRunner;
  private readonly work: ImageWork;
  private readonly delivery: Delivery;
  private readonly writing: MethodWriting;
  private readonly repair: MethodRepair;
  private readonly commands: Commands;
  private readonly guardFor: GuardFor;

  constructor(options: UvmOptions) {
    const image = options.image;
    this.image = image;
    this.runner = options.runner;
    const quotas = options.quotas ?? DEFAULT_QUOTAS;
    const rules = options.slotRules ?? [];
    // Each send's guard, for the authority it starts with (see AccessGuard.as for the others).
    this.guardFor = (authority) =>
      AccessGuard.forSend(authority, {
        quotas,
        rules,
        ownedObjects: (owner) => image.ownedObjects(owner),
        storedBytes: (oid) => image.storedBytes(oid),
        historyBytesToday: (who) => image.historyBytesToday(who),
      });
    this.work = new ImageWork(image, options.sendsPerPerson);
    const invoker = new Invoker({
      image,
      runner: this.runner,
      primitives: options.primitives ?? {},
      quotas,
    });
    const calls = new MethodCalls();
    const counts = new CallCounts();
    this.delivery = new Delivery(image, invoker, this.guardFor, calls, counts);
    const attempts = options.methodAttempts ?? DEFAULT_METHOD_ATTEMPTS;
    this.writing = new MethodWriting(
      image,
      this.work,
      this.delivery,
      options.writer,
      (options.noWriterReason ?? 'no model is loaded to write it').replace(/\.$/, ''),
      attempts,
    );
    this.repair = new MethodRepair(
      image,
      this.work,
      this.delivery,
      calls,
      this.guardFor,
      options.writer,
      attempts,
    );
    this.commands = new Commands(image, this.work, this.guardFor, counts);
    this.signIns = new SignInDesk(image.signIns, () => this.work.assertOpen());
  }

  /**
   * Creates the primordial objects in an empty image, and gives an existing image's traits
   * the primitives this version added.
   */
  async bootstrap(info: TransactionInfo): Promise<void> {
    await this.asSystem(info, (tx) => {
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
    this.work.assertOpen();
    return this.work.serve(async () => {
      let outcome: SendOutcome;
      try {
        outcome = await this.work.attempt(request.caller.principal, () =>
          this.delivery.deliver(request),
        );
      } catch (error) {
        if (!(error instanceof NeedsMethod)) throw error;
        outcome = await this.writing.writeAndDeliver(request, error.request);
      }
      // Outside the gate: the next sends run while this one's group is synced.
      if (outcome.tx !== undefined) await this.work.durable();
      return outcome;
    });
  }

  /**
   * BAT OS's own bookkeeping, as the system: one transaction of `work` with the system's
   * authority, committed durably. Only BAT OS's own code calls it — bootstrap, the model
   * record, and the personas installing themselves and keeping conversation turns — never
   * on a person's behalf without its own rule first (`info` names whom it is for). It runs
   * beside sends like one, again alone on a conflict; every write still passes the guard's
   * quotas and slot rules.
   */
  asSystem<T>(
    info: TransactionInfo,
    work: (tx: Transaction) => T | Promise<T>,
  ): Promise<{ result: T; tx?: number }> {
    this.work.assertOpen();
    return this.work.serve(async () => {
      const done = await this.work.attempt(info.who, async () => {
        const tx = this.image.begin(info, this.guardFor(systemAuthority()));
        const result = await work(tx);
        const id = await this.image.commit(tx);
        return id === undefined ? { result } : { result, tx: id };
      });
      if (done.tx !== undefined) await this.work.durable();
      return done;
    });
  }

  /**
   * Reads committed state, as the system, beside sends: it takes no send slot, so reading a
   * message or the history never waits behind anyone's slow method. For BAT OS's own reads
   * — the bot reading a message once, the personas reading intents and threads — which apply
   * the access rules themselves where a person's words could reach what they may not read.
   * Writes in `work` are not committed.
   */
  readCommitted<T>(work: (tx: Transaction) => T | Promise<T>): Promise<T> {
    return this.work.read(work);
  }

  /**
   * The whole committed image, for ALFRED's audit only (the one reader of every object and
   * all history at once): `work` must tolerate commits between its reads, as the audit's
   * snapshot does, and must not show a person what they may not read.
   */
  async examineImage<T>(work: (image: ImageView) => T | Promise<T>): Promise<T> {
    this.work.assertOpen();
    return work(this.image);
  }

  /**
   * Has the model repair every kept method that failed at least `threshold` times when
   * sent since it last changed (see {@link MethodRepair}); the heartbeat calls it. Returns
   * what to tell each method's owner. Without a model, repairs nothing.
   */
  repairFailing(threshold: number): Promise<RepairNotice[]> {
    this.work.assertOpen();
    return this.work.serve(() => this.repair.repairFailing(threshold));
  }

  /**
   * Up to `limit` of `owner`'s memories that share words with `text`, best first, from the
   * image's full-text index as committed. For the personas' recall, which asks only for the
   * person it is answering; like {@link readCommitted}, it waits for no send.
   */
  searchMemories(owner: Principal, text: string, limit: number): Promise<FoundMemory[]> {
    this.work.assertOpen();
    return this.image.searchMemories(owner, text, limit);
  }

  /**
   * Up to `limit` of `owner`'s memories nearest `vector` by the embeddings `model` made,
   * most similar first; like {@link searchMemories}, for the recall of the person it names.
   */
  nearestMemories(
    owner: Principal,
    model: string,
    vector: Float32Array,
    limit: number,
  ): Promise<NearMemory[]> {
    this.work.assertOpen();
    return this.image.nearestMemories(owner, model, vector, limit);
  }

  /** Up to `limit` of `owner`'s memories without an embedding from `model`, newest first. */
  memoriesWithoutVector(owner: Principal, model: string, limit: number): Promise<FoundMemory[]> {
    this.work.assertOpen();
    return this.image.memoriesWithoutVector(owner, model, limit);
  }

  /**
   * Keeps `model`'s embedding of `owner`'s memory `oid` (derived from it, deleted with it, not
   * in history); nothing when the memory is no longer theirs. Returns whether it was kept.
   */
  storeMemoryVector(
    owner: Principal,
    oid: Oid,
    model: string,
    vector: Float32Array,
  ): Promise<boolean> {
    this.work.assertOpen();
    return this.image.storeMemoryVector(owner, oid, model, vector);
  }

  /** See {@link Commands.history}. */
  history(caller: Caller, query: HistoryQuery = {}): Promise<string> {
    return this.commands.history(caller, query);
  }

  /** See {@link Commands.undo}. */
  undo(caller: Caller, txId?: number): Promise<{ undone: number; tx?: number }> {
    return this.commands.undo(caller, txId);
  }

  /** See {@link Commands.versions}. */
  versions(caller: Caller, object: ObjectDesignator, selector: string): Promise<string> {
    return this.commands.versions(caller, object, selector);
  }

  /** See {@link Commands.inspect}. */
  inspect(caller: Caller, object: ObjectDesignator, childrenAfter?: Oid): Promise<ObjectView> {
    return this.commands.inspect(caller, object, childrenAfter);
  }

  /** See {@link Commands.audits}. */
  audits(caller: Caller, auditor: ObjectDesignator): Promise<AuditsView> {
    return this.commands.audits(caller, auditor);
  }

  /** See {@link Commands.threads}. */
  threads(caller: Caller): Promise<ThreadView[]> {
    return this.commands.threads(caller);
  }

  /** See {@link Commands.thread}. */
  thread(caller: Caller, object: ObjectDesignator): Promise<ThreadView> {
    return this.commands.thread(caller, object);
  }

  /** See {@link Commands.imageStats}. */
  imageStats(caller: Caller): Promise<ImageStats> {
    return this.commands.imageStats(caller);
  }

  /**
   * The change feed: `watcher` hears which objects each commit of this process changed. It
   * carries oids only; whoever shows a change reads it again through the UVM, as its viewer.
   */
  watch(watcher: (change: CommittedChange) => void): () => void {
    return this.image.watch(watcher);
  }

  /** See {@link Commands.revert}. */
  revert(
    caller: Caller,
    object: ObjectDesignator,
    selector: string,
    n: number,
  ): Promise<{ tx?: number }> {
    return this.commands.revert(caller, object, selector, n);
  }

  /** See {@link Commands.findMethods}. */
  findMethods(
    caller: Caller,
    command: 'implementors' | 'senders',
    selector: string,
  ): Promise<string> {
    return this.commands.findMethods(caller, command, selector);
  }

  /** See {@link Commands.collect}. */
  collect(caller: Caller, keepHistoryDays?: number): Promise<CollectResult> {
    return this.commands.collect(caller, keepHistoryDays);
  }

  /** See {@link Commands.retainHistory}. */
  retainHistory(retention: HistoryRetention): Promise<Retained> {
    return this.commands.retainHistory(retention);
  }

  /** See {@link Commands.backup}. */
  backup(caller: Caller, file: string): Promise<void> {
    return this.commands.backup(caller, file);
  }

  /** Stops taking sends, waits for those in flight, and closes the sandbox and the image. */
  async close(): Promise<void> {
    if (!this.work.stop()) return;
    await this.writing.settled();
    await this.work.gate.drain();
    await this.runner.close();
    await this.image.close();
  }
}
