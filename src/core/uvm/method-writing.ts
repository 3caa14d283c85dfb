/**
 * Writing a method nobody understands yet: outside any transaction, once for everyone who
 * asks for the same one meanwhile (and, across processes over one image, by the one process
 * holding the claim), then installed and run in a short transaction of its own.
 *
 * A method that fails its checks, or fails when it first runs (that transaction is rolled
 * back, so nothing of it is kept), goes back to the model with the error, up to the attempts
 * allowed (BATOS_METHOD_ATTEMPTS); only one that passes is kept, and the reply says how many
 * attempts it took.
 */
import { callerAuthority } from '../access/authority.ts';
import { findWrites } from '../analysis/index.ts';
import { SendError } from '../errors.ts';
import type { Claim, Image } from '../image/index.ts';
import { lookup } from '../model/lookup.ts';
import { objectLabel } from '../model/render.ts';
import type { Oid } from '../model/value.ts';
import { NeedsMethod, type Delivery, type SendOutcome, type SendRequest } from './delivery.ts';
import type { ImageWork } from './image-work.ts';
import { findBeforeWriting } from './method-finder.ts';
import {
  RejectedMethod,
  type MethodRequest,
  type MethodWriter,
  type WrittenMethod,
} from './method-writer.ts';

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

export class MethodWriting {
  /** Methods being written, shared by everyone who asked for the same one meanwhile. */
  private readonly writing = new Map<string, Writing>();

  /**
   * @param writer writes missing methods; absent when no model is loaded
   * @param noWriterReason why there is no writer, for the reply
   */
  constructor(
    private readonly image: Image,
    private readonly work: ImageWork,
    private readonly delivery: Delivery,
    private readonly writer: MethodWriter | undefined,
    private readonly noWriterReason: string,
    private readonly attempts: number,
  ) {}

  /**
   * Writes the method `needed` (or waits for it), then delivers `request` with it; a method
   * that fails its checks or its run is written again with the error, while attempts last.
   */
  async writeAndDeliver(request: SendRequest, asked: MethodRequest): Promise<SendOutcome> {
    const known = await this.reuseOrExamples(request, asked);
    if ('outcome' in known) return known.outcome;
    const needed = known.needed;
    const label = objectLabel(needed.oid, needed.name);
    const failed: Array<{ source: string; error: string }> = [];
    for (;;) {
      const attempt = failed.length === 0 ? needed : { ...needed, failedAttempts: [...failed] };
      try {
        const outcome = await this.writeOnceAndDeliver(request, attempt);
        return failed.length === 0 ? outcome : { ...outcome, attempts: failed.length + 1 };
      } catch (error) {
        if (!(error instanceof RejectedMethod)) throw error;
        const tried = failed.length + 1;
        if (tried >= this.attempts) {
          const after = tried === 1 ? '' : ` (${tried} attempts, each failed)`;
          throw new SendError(error.error.code, `${error.error.message}${after}`, {
            cause: error.error,
          });
        }
        failed.push({ source: error.source, error: error.error.message });
        request.onStatus?.(
          `${label}: the \`${needed.selector}\` the model wrote failed (${error.error.message}) — writing it again, attempt ${tried + 1} of ${this.attempts}…`,
        );
      }
    }
  }

  /**
   * Finds the method in the image first (`method-finder.ts`): an exact implementor the
   * sender may read is copied and run instead of writing one (the outcome says from where);
   * when there is none, or its copy fails here, the request goes on to the model with the
   * nearest methods as examples.
   */
  private async reuseOrExamples(
    request: SendRequest,
    needed: MethodRequest,
  ): Promise<{ outcome: SendOutcome } | { needed: MethodRequest }> {
    const found = await this.work.read((tx) =>
      findBeforeWriting(this.image, tx, callerAuthority(request.caller), needed),
    );
    if ('examples' in found)
      return {
        needed: found.examples.length > 0 ? { ...needed, examples: found.examples } : needed,
      };
    const { reuse } = found;
    try {
      const outcome = await this.installAndDeliver(request, needed, reuse.method);
      return { outcome: outcome.generated ? { ...outcome, reusedFrom: reuse.label } : outcome };
    } catch (error) {
      if (!(error instanceof RejectedMethod)) throw error;
      request.onStatus?.(
        `${reuse.label} failed here (${error.error.message}) — writing ${needed.selector} instead…`,
      );
      return {
        needed: { ...needed, examples: [{ label: reuse.label, source: reuse.from.source }] },
      };
    }
  }

  /** One attempt: writes `needed` (or waits for the writing under way), then delivers. */
  private async writeOnceAndDeliver(
    request: SendRequest,
    needed: MethodRequest,
  ): Promise<SendOutcome> {
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

  /** Settles once every method being written now is written or given up. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.writing.values()].map((w) => w.method));
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
        return await this.work.attempt(request.caller.principal, () =>
          this.delivery.deliver(request),
        );
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
    try {
      return await this.work.attempt(request.caller.principal, () =>
        this.delivery.install(request, needed, method),
      );
    } catch (error) {
      if (error instanceof SendError && error.code === 'method-failed')
        throw new RejectedMethod(method.source, error);
      throw error;
    }
  }

  /** Whether `oid` understands `selector` as committed now (another process may have taught it). */
  private understands(oid: Oid, selector: string): Promise<boolean> {
    return this.work.read((tx) => lookup(oid, selector, (o) => tx.slots(o)) !== undefined);
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
}
