/**
 * The Universal Virtual Machine: delivers sends to objects in the living image.
 *
 * One send is one transaction: look the selector up along the delegation chain, run what
 * was found (a primitive in the host, a method in the sandbox) with every write buffered in
 * the transaction, and commit durably — or, on any error, drop the transaction so the image
 * is exactly as it was. A selector nobody understands goes to `doesNotUnderstand_`; when the
 * primitive one is reached and a {@link MethodWriter} is present, the method is written
 * outside any transaction and then installed and run in a short one.
 */
import { createHash } from 'node:crypto';
import { SendError } from '../errors.ts';
import type { Image, Transaction, TransactionInfo } from '../image/index.ts';
import { lookup, type Found } from '../model/lookup.ts';
import { primordialObjects } from '../model/primordial.ts';
import { objectLabel, renderValue } from '../model/render.ts';
import { parentOids, PARENT_SLOT, ref, type Oid, type Value } from '../model/value.ts';
import type {
  HostBridge,
  MethodCall,
  MethodRunner,
  NestedSendResolution,
} from '../sandbox/contract.ts';
import type { MethodRequest, MethodWriter, WrittenMethod } from './method-writer.ts';
import { nameOf, resolveDesignator, resolveTemplate } from './names.ts';
import type { Argument, ObjectDesignator } from './parser.ts';
import {
  notUnderstood,
  runPrimitive,
  type PrimitiveCall,
  type PrimitiveTable,
} from './primitives.ts';
import { SerialQueue } from './serial-queue.ts';

/** A send, as the UVM receives it. */
export interface SendRequest {
  readonly target: ObjectDesignator;
  readonly selector: string;
  readonly args: readonly Argument[];
  readonly info: TransactionInfo;
  /** The sender's words beyond the send itself, for the method writer. */
  readonly words?: string;
  /** Told when a method is being written, so a front end can show it. */
  readonly onStatus?: (text: string) => void;
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
}

/** A lookup failure on the top-level send, carried out of the queue to start generation. */
class NeedsMethod {
  constructor(readonly request: MethodRequest) {}
}

export class Uvm {
  readonly image: Image;
  private readonly runner: MethodRunner;
  private readonly writer: MethodWriter | undefined;
  private readonly noWriterReason: string;
  private readonly primitives: PrimitiveTable;
  private readonly queue = new SerialQueue();
  private readonly writing = new Map<string, Promise<WrittenMethod>>();
  private readonly sourceKeys = new Map<string, string>();
  private closing = false;

  constructor(options: UvmOptions) {
    this.image = options.image;
    this.runner = options.runner;
    this.writer = options.writer;
    this.noWriterReason = (options.noWriterReason ?? 'no model is loaded to write it').replace(
      /\.$/,
      '',
    );
    this.primitives = options.primitives ?? {};
  }

  /** Creates the primordial objects in an empty image; does nothing to an existing one. */
  async bootstrap(info: TransactionInfo): Promise<void> {
    await this.exclusive(info, (tx) => {
      if (tx.exists(0)) return;
      for (const slots of primordialObjects()) tx.create(slots);
    });
  }

  /** Delivers one send. Rejects with a {@link SendError}; the image is then unchanged. */
  async send(request: SendRequest): Promise<SendOutcome> {
    this.assertOpen();
    try {
      return await this.queue.run(() => this.deliver(request));
    } catch (error) {
      if (!(error instanceof NeedsMethod)) throw error;
      return this.writeAndDeliver(request, error.request);
    }
  }

  /**
   * Runs `work` alone against the image in one transaction and commits it: for commands
   * (undo, naming personas at start) that are not sends but must not interleave with them.
   */
  exclusive<T>(
    info: TransactionInfo,
    work: (tx: Transaction) => T | Promise<T>,
  ): Promise<{ result: T; tx?: number }> {
    this.assertOpen();
    return this.queue.run(async () => {
      const tx = this.image.begin(info);
      const result = await work(tx);
      return { result, tx: this.image.commit(tx) };
    });
  }

  /** Runs read-only work against committed state, between sends. */
  read<T>(work: (tx: Transaction) => T | Promise<T>): Promise<T> {
    this.assertOpen();
    return this.queue.run(() => work(this.image.begin({ who: 'system', platform: 'console' })));
  }

  /** Runs `work` with the image to itself (collect, backup). */
  withImage<T>(work: (image: Image) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.queue.run(() => work(this.image));
  }

  /** The label of an object as replies show it (`#3 genesis`). */
  label(tx: Transaction, oid: Oid): string {
    return objectLabel(oid, nameOf(tx, oid));
  }

  /** Stops taking sends, waits for those in flight, and closes the sandbox and the image. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.allSettled(this.writing.values());
    await this.queue.drain();
    await this.runner.close();
    await this.image.close();
  }

  private async deliver(request: SendRequest): Promise<SendOutcome> {
    const tx = this.image.begin(request.info);
    const receiver = resolveDesignator(tx, request.target);
    const args = request.args.map((arg) => this.argumentValue(tx, arg));
    const found = lookup(receiver, request.selector, (oid) => tx.slots(oid));
    let value: Value;
    if (found !== undefined) {
      value = await this.invoke(tx, receiver, request.selector, found, args);
    } else {
      const handler = this.missingHandler(tx, receiver);
      if (handler === undefined)
        throw new NeedsMethod(this.methodRequest(tx, receiver, request, args));
      value = await this.invoke(tx, receiver, 'doesNotUnderstand_', handler, [
        request.selector,
        args,
      ]);
    }
    return this.finish(tx, value, false);
  }

  private async writeAndDeliver(request: SendRequest, needed: MethodRequest): Promise<SendOutcome> {
    if (this.writer === undefined)
      throw new SendError(
        'no-model',
        `${objectLabel(needed.oid, needed.name)} does not understand ${needed.selector}, and ${this.noWriterReason}.`,
      );
    request.onStatus?.(
      `${objectLabel(needed.oid, needed.name)} does not understand ${needed.selector} — writing it…`,
    );
    const key = `${needed.oid}:${needed.selector}`;
    let pending = this.writing.get(key);
    if (pending === undefined) {
      pending = this.writer.write(needed).finally(() => this.writing.delete(key));
      this.writing.set(key, pending);
    }
    const method = await pending;
    return this.queue.run(async () => {
      const tx = this.image.begin(request.info);
      const receiver = resolveDesignator(tx, request.target);
      const args = request.args.map((arg) => this.argumentValue(tx, arg));
      const existing = lookup(receiver, request.selector, (oid) => tx.slots(oid));
      if (existing !== undefined) {
        // Someone else's identical request installed it first: use theirs.
        return this.finish(
          tx,
          await this.invoke(tx, receiver, request.selector, existing, args),
          false,
        );
      }
      const slot = {
        kind: 'method',
        source: method.source,
        provenance: method.provenance,
      } as const;
      tx.setSlot(receiver, request.selector, slot);
      let value: Value;
      try {
        value = await this.invoke(tx, receiver, request.selector, { holder: receiver, slot }, args);
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

  private finish(tx: Transaction, value: Value, generated: boolean): SendOutcome {
    const text = renderValue(value, (oid) => nameOf(tx, oid));
    const id = this.image.commit(tx);
    return id === undefined ? { value, text, generated } : { value, text, tx: id, generated };
  }

  /** A `doesNotUnderstand_` the object defines itself (a method), if any. */
  private missingHandler(tx: Transaction, receiver: Oid): Found | undefined {
    const handler = lookup(receiver, 'doesNotUnderstand_', (oid) => tx.slots(oid));
    return handler?.slot.kind === 'method' ? handler : undefined;
  }

  private async invoke(
    tx: Transaction,
    self: Oid,
    selector: string,
    found: Found,
    args: readonly Value[],
  ): Promise<Value> {
    const { slot } = found;
    if (slot.kind === 'value') {
      if (args.length > 0)
        throw new SendError(
          'bad-argument',
          `${selector} is a value slot and takes no arguments. To change it: setSlot ${selector} <value>`,
        );
      return slot.value;
    }
    if (slot.kind === 'primitive')
      return runPrimitive(slot.name, this.primitiveCall(tx, self, selector, args), this.primitives);
    try {
      return await this.runner.run(
        this.methodCall(self, selector, slot.source, args),
        this.bridge(tx),
      );
    } catch (error) {
      if (error instanceof SendError) throw error;
      throw new SendError('method-failed', (error as Error).message, { cause: error });
    }
  }

  private primitiveCall(
    tx: Transaction,
    self: Oid,
    selector: string,
    args: readonly Value[],
  ): PrimitiveCall {
    return { tx, self, selector, args, checkMethod: (source: string) => this.runner.check(source) };
  }

  private methodCall(
    self: Oid,
    selector: string,
    source: string,
    args: readonly Value[],
  ): MethodCall {
    let cacheKey = this.sourceKeys.get(source);
    if (cacheKey === undefined) {
      cacheKey = createHash('sha256').update(source).digest('base64url');
      if (this.sourceKeys.size > 10_000) this.sourceKeys.clear();
      this.sourceKeys.set(source, cacheKey);
    }
    return { source, cacheKey, self, selector, args };
  }

  /** The transaction's side of a running method: the only power a method has. */
  private bridge(tx: Transaction): HostBridge {
    return {
      get: (oid, slot) => {
        const found = lookup(oid, slot, (o) => tx.slots(o));
        return found?.slot.kind === 'value' ? found.slot.value : undefined;
      },
      set: (oid, slot, value) => {
        void runPrimitive('setSlot', this.primitiveCall(tx, oid, 'setSlot', [slot, value]));
      },
      remove: (oid, slot) => {
        tx.removeSlot(oid, slot);
      },
      slotNames: (oid) => [...(tx.slots(oid)?.keys() ?? [])],
      resolveSend: (oid, selector, args): NestedSendResolution => {
        if (!tx.exists(oid)) throw new SendError('unknown-object', `There is no object #${oid}.`);
        const found = lookup(oid, selector, (o) => tx.slots(o));
        const target = found ?? this.missingHandler(tx, oid);
        if (target === undefined)
          throw notUnderstood(
            tx,
            oid,
            selector,
            'methods cannot have missing methods written for them mid-send',
          );
        const callArgs = found === undefined ? [selector, [...args]] : args;
        const callSelector = found === undefined ? 'doesNotUnderstand_' : selector;
        if (target.slot.kind === 'method')
          return {
            kind: 'method',
            call: this.methodCall(oid, callSelector, target.slot.source, callArgs),
          };
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
        const result = runPrimitive(
          target.slot.name,
          this.primitiveCall(tx, oid, callSelector, callArgs),
        ) as Value;
        return { kind: 'result', value: result };
      },
    };
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
  ): MethodRequest {
    const slots = tx.slots(oid) ?? new Map();
    const parentSlot = slots.get(PARENT_SLOT);
    const parents = parentSlot?.kind === 'value' ? parentOids(parentSlot.value) : [];
    return {
      oid,
      name: nameOf(tx, oid),
      slotNames: [...slots.keys()],
      parents: parents.map((p) => ({ oid: p, name: nameOf(tx, p) })),
      selector: request.selector,
      args,
      ...(request.words === undefined ? {} : { words: request.words }),
      requestedBy: request.info.who,
    };
  }

  private assertOpen(): void {
    if (this.closing)
      throw new SendError('internal', 'BAT OS is shutting down; try again in a moment.');
  }
}
