/**
 * Runs methods in QuickJS inside a worker thread, one call at a time, with every limit
 * enforced: QuickJS's own (heap, stack, interrupt) inside the worker, and a hard wall-clock
 * limit from here, which terminates the worker whatever it is doing. The host thread never
 * sleeps on the worker: it awaits the worker's messages (after a brief spin, see channel.mjs), serves its host requests, and keeps ticking.
 */
import { checkMethodSource } from './check.ts';
import type { HostBridge, MethodCall, MethodRunner } from './contract.ts';
import { SandboxError } from './errors.ts';
import { applyKeptWrites, serveRequest } from './host-requests.ts';
import { resolveLimits, type SandboxLimits } from './limits.ts';
import { SandboxWorker } from './sandbox-worker.ts';
import type { Value } from '../model/value.ts';
import {
  DONE,
  encodeCall,
  ERROR,
  FAILED,
  REQUEST,
  RUN,
  SOURCE,
  VALUE,
  type WireFailure,
} from './wire.mjs';

export interface QuickJsMethodRunnerOptions {
  /** Overrides of {@link DEFAULT_SANDBOX_LIMITS}. */
  readonly limits?: Partial<SandboxLimits>;
}

/** Counters, for tests and benchmarks. */
export interface SandboxStats {
  /** Sources compiled by the current worker (a replaced worker starts from 0). */
  readonly compiles: number;
  /** Workers started so far, replacements included. */
  readonly workersStarted: number;
}

/** A {@link MethodRunner} on QuickJS in a worker thread. */
export class QuickJsMethodRunner implements MethodRunner {
  readonly limits: SandboxLimits;
  private worker: SandboxWorker | undefined;
  private workersStarted = 0;
  /** Calls run one after another: the tail of the queue. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: QuickJsMethodRunnerOptions = {}) {
    this.limits = resolveLimits(options.limits);
  }

  /** Runs a method; rejects with a {@link SandboxError} when it fails or hits a limit. */
  run(call: MethodCall, host: HostBridge): Promise<Value> {
    const result = this.queue.then(() => this.runNow(call, host));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Throws a {@link MethodSourceError} unless `source` is one function expression of the method contract. */
  check(source: string): void {
    checkMethodSource(source, this.limits.maxSourceBytes);
  }

  /** Stops the worker. Later runs reject with reason `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.kill('the sandbox was closed');
  }

  stats(): SandboxStats {
    return { compiles: this.worker?.compiles ?? 0, workersStarted: this.workersStarted };
  }

  private async runNow(call: MethodCall, host: HostBridge): Promise<Value> {
    const fail = (reason: SandboxError['reason'], message: string, stack?: string) =>
      new SandboxError(call.selector, call.self, reason, message, stack);
    if (this.closed) throw fail('closed', 'the sandbox is closed');
    const message = RUN + encodeCall(call);
    const worker = this.currentWorker();
    if (!worker.fits(message)) throw fail('error', 'the call is too large to pass to the sandbox');
    try {
      await worker.ready;
    } catch (error) {
      this.replace(worker);
      throw fail('crash', `the sandbox could not start: ${(error as Error).message}`);
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void worker.kill('hard time limit');
    }, this.limits.hardTimeoutMs);
    try {
      /** The call the worker was handed last: the one whose source it may ask for. */
      let latest: MethodCall = call;
      const remember = (nested: MethodCall) => (latest = nested);
      let reply = await worker.exchange(message);
      while (reply !== undefined && worker.deathReason === undefined) {
        if (reply[0] === REQUEST) {
          reply = await worker.exchange(
            this.fit(worker, serveRequest(host, reply.slice(1), remember)),
          );
        } else if (reply[0] === SOURCE) {
          reply = await worker.exchange(this.fit(worker, VALUE + JSON.stringify(latest.source)));
        } else {
          break;
        }
      }
      if (reply === undefined || worker.deathReason !== undefined) {
        this.replace(worker);
        if (timedOut)
          throw fail(
            'timeout',
            `the method ran past its hard time limit of ${this.limits.hardTimeoutMs} ms`,
          );
        if (this.closed) throw fail('closed', 'the sandbox was closed');
        const death = worker.deathReason ?? 'the sandbox worker died';
        throw fail(/memory/i.test(death) ? 'memory' : 'crash', death);
      }
      if (reply[0] === DONE) {
        const newline = reply.indexOf('\n');
        const refused = applyKeptWrites(host, JSON.parse(reply.slice(1, newline)));
        if (refused !== undefined) throw fail('deferred-write', refused);
        return JSON.parse(reply.slice(newline + 1)) as Value;
      }
      if (reply[0] !== FAILED) throw fail('crash', 'the sandbox sent an unexpected message');
      const failure = JSON.parse(reply.slice(1)) as WireFailure;
      if (failure.fatal) this.replace(worker);
      throw fail(failure.reason as SandboxError['reason'], failure.message, failure.guestStack);
    } finally {
      clearTimeout(timer);
    }
  }

  private fit(worker: SandboxWorker, reply: string): string {
    return worker.fits(reply) ? reply : ERROR + 'the value is too large to pass to the sandbox';
  }

  private currentWorker(): SandboxWorker {
    // A worker that died while idle (crashed, say) is replaced before it is handed a call.
    if (this.worker?.deathReason !== undefined) this.worker = undefined;
    if (this.worker === undefined) {
      this.worker = new SandboxWorker(this.limits);
      this.workersStarted += 1;
    }
    return this.worker;
  }

  /** Drops a worker that can no longer be trusted, and starts its successor at once. */
  private replace(worker: SandboxWorker): void {
    if (worker.deathReason === undefined) void worker.kill('replaced');
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (!this.closed) this.currentWorker();
  }
}
