/**
 * Runs methods in QuickJS, each call where it costs least: a short method on the host thread
 * (in-thread, see in-thread.ts and placement.ts), the rest in a pool of worker threads, each
 * call on a free worker, with every limit enforced: QuickJS's own (heap, stack, interrupt)
 * in the realm, and for a worker a hard wall-clock limit from here, which terminates the
 * worker whatever it is doing and starts its successor. An in-thread call that reaches its
 * short deadline is taken back (its host requests rolled back, see HostBridge.rollback) and
 * runs again from the start on a worker, so where a call ran never shows in what it did.
 * A call's nested sends run in its own realm (they are synchronous host requests). One
 * person's calls hold at most their share of the workers, and calls waiting for a worker are
 * served round robin by person (see src/core/fairness), so one person's stuck methods never
 * take every worker. The host thread never sleeps on a worker: it awaits the worker's
 * messages (after a brief spin, see channel.mjs), serves its host requests, and keeps ticking.
 */
import { availableParallelism } from 'node:os';
import { fairShare, FairSlots } from '../fairness/index.ts';
import { checkMethodSource } from './check.ts';
import type { HostBridge, MethodCall, MethodRunner } from './contract.ts';
import { SandboxError } from './errors.ts';
import { fitsIn } from './channel.mjs';
import { InternalError } from '../errors.ts';
import { answerer, applyKeptWrites } from './host-requests.ts';
import { InThreadSandbox } from './in-thread.ts';
import { resolveLimits, type SandboxLimits } from './limits.ts';
import { IN_THREAD_HEAP_BYTES, IN_THREAD_MS, Placement } from './placement.ts';
import { SandboxWorker } from './sandbox-worker.ts';
import type { Value } from '../model/value.ts';
import { DONE, encodeCall, FAILED, REQUEST, RUN, SOURCE, type WireFailure } from './wire.mjs';

/**
 * Workers by default: one per core, at least 3 — so that two people who each hold their
 * share (see {@link fairShare}) still leave a worker free — and at most 8: each is a thread
 * with its own QuickJS heap, and short calls run in the bot's own thread anyway, so more
 * workers than cores only wait for one.
 */
export const DEFAULT_SANDBOX_WORKERS = Math.min(8, Math.max(3, availableParallelism()));

/** A call's failure, as the error it rejects with. */
type Fail = (reason: SandboxError['reason'], message: string, stack?: string) => SandboxError;

/** Whose calls are not a person's: every call made outside a send shares one party. */
const NO_PARTY = 'sandbox:unattributed';

export interface QuickJsMethodRunnerOptions {
  /** Overrides of {@link DEFAULT_SANDBOX_LIMITS}. */
  readonly limits?: Partial<SandboxLimits>;
  /** Worker threads, each running one call at a time (default {@link DEFAULT_SANDBOX_WORKERS}). */
  readonly workers?: number;
  /** The most workers one person's calls hold at once (default {@link fairShare} of `workers`). */
  readonly workersPerPerson?: number;
  /**
   * The interrupt deadline of a call on the host thread (ms, default {@link IN_THREAD_MS},
   * below `limits.timeoutMs`); 0 runs every call on a worker.
   */
  readonly inThreadMs?: number;
  /**
   * The heap a call on the host thread may use (bytes, default {@link IN_THREAD_HEAP_BYTES}),
   * beyond what its realm holds; a call that needs more runs again on a worker.
   */
  readonly inThreadHeapBytes?: number;
}

/** Counters, for tests and benchmarks. */
export interface SandboxStats {
  /** Sources compiled by the live workers (a replaced worker's count goes with it) and in-thread. */
  readonly compiles: number;
  /** Calls answered on the host thread. */
  readonly inThread: number;
  /** Calls that reached the in-thread deadline and ran again on a worker. */
  readonly moved: number;
  /** Workers started so far, replacements included. */
  readonly workersStarted: number;
  /** Workers running a call now. */
  readonly busy: number;
  /** In-thread realms started so far (each start holds the host thread up a while). */
  readonly realmsStarted: number;
}

/** A {@link MethodRunner} on QuickJS, on the host thread or in a pool of worker threads. */
export class QuickJsMethodRunner implements MethodRunner {
  readonly limits: SandboxLimits;
  /** How many workers the pool holds at most. */
  readonly workers: number;
  private readonly slots: FairSlots;
  /** Every live worker, busy or idle. */
  private readonly live = new Set<SandboxWorker>();
  /** Live workers with no call, the most recently used last (it has the warmest cache). */
  private readonly idle: SandboxWorker[] = [];
  private readonly placement: Placement;
  private readonly inThread: InThreadSandbox;
  private workersStarted = 0;
  /** Calls on a worker now, from the worker's start to its answer. */
  private onWorker = 0;
  /** What waits for no call to be on a worker (see {@link whenNoWorkerCall}). */
  private idleWaiters: Array<() => void> = [];
  private inThreadCalls = 0;
  private movedCalls = 0;
  private closed = false;

  /** Throws an InternalError on limits that would not protect the host. */
  constructor(options: QuickJsMethodRunnerOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.workers = options.workers ?? DEFAULT_SANDBOX_WORKERS;
    this.slots = new FairSlots({
      capacity: this.workers,
      share: options.workersPerPerson ?? fairShare(this.workers),
    });
    const inThreadMs = options.inThreadMs ?? Math.min(IN_THREAD_MS, this.limits.timeoutMs / 2);
    if (!(inThreadMs >= 0 && inThreadMs < this.limits.timeoutMs))
      throw new InternalError('sandbox inThreadMs must be at least 0 and below timeoutMs');
    const inThreadHeapBytes = options.inThreadHeapBytes ?? IN_THREAD_HEAP_BYTES;
    if (!(inThreadHeapBytes > 0))
      throw new InternalError('sandbox inThreadHeapBytes must be positive');
    this.placement = new Placement(inThreadMs);
    // Its realm starts only once a method proved short (see run and runOn): a process that
    // runs no method never pays for it.
    this.inThread = new InThreadSandbox(
      { ...this.limits, timeoutMs: inThreadMs },
      inThreadHeapBytes,
      () => this.whenNoWorkerCall(),
    );
  }

  /**
   * Runs a method, as `party`'s (see {@link MethodRunner.run}): in-thread when it is known to
   * be short (see placement.ts), else (or when it proves long) on a free worker. Rejects
   * with a {@link SandboxError} when it fails or hits a limit.
   */
  async run(call: MethodCall, host: HostBridge, party = NO_PARTY): Promise<Value> {
    const fail: Fail = (reason, message, stack) =>
      new SandboxError(call.selector, call.self, reason, message, stack);
    if (this.closed) throw fail('closed', 'the sandbox is closed');
    if (this.placement.inThread(call.cacheKey, party)) {
      if (this.inThread.ready) {
        const answered = this.runInThread(call, host, party, fail);
        if (answered !== undefined) return answered.value;
      } else {
        // No realm yet, or the last one was dropped: this call runs on a worker meanwhile.
        this.inThread.start();
      }
    }
    const release = await this.slots.acquire(party);
    try {
      return await this.runNow(call, host, fail);
    } finally {
      release();
    }
  }

  /** Throws a {@link MethodSourceError} unless `source` is one function expression of the method contract. */
  check(source: string): void {
    checkMethodSource(source, this.limits.maxSourceBytes);
  }

  /** Stops every worker; calls running fail, and later runs reject, with reason `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    this.inThread.close();
    this.wakeIdleWaiters();
    const workers = [...this.live];
    this.live.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((worker) => worker.kill('the sandbox was closed')));
  }

  stats(): SandboxStats {
    let compiles = this.inThread.compiles;
    for (const worker of this.live) compiles += worker.compiles;
    return {
      compiles,
      inThread: this.inThreadCalls,
      moved: this.movedCalls,
      workersStarted: this.workersStarted,
      busy: this.live.size - this.idle.length,
      realmsStarted: this.inThread.realmsStarted,
    };
  }

  /**
   * Runs a call on the host thread, to its end or to the in-thread deadline. Undefined when
   * it must run on a worker instead; its host requests are then taken back.
   */
  private runInThread(
    call: MethodCall,
    host: HostBridge,
    party: string,
    fail: Fail,
  ): { value: Value } | undefined {
    const fits = (message: string) => fitsIn(message, this.limits.maxTransferBytes);
    const callJson = encodeCall(call);
    // Too large a call fails on the worker path, with the same refusal a worker gives.
    if (!fits(RUN + callJson)) return undefined;
    const started = this.placement.startInThread();
    const outcome = this.inThread.run(callJson, answerer(call, host, fits));
    const moved = outcome.kind === 'moved';
    this.placement.ranInThread(call.cacheKey, party, started, moved, outcome.dropped);
    if (moved) {
      this.movedCalls += 1;
      if (outcome.askedHost) host.rollback(0);
      return undefined;
    }
    this.inThreadCalls += 1;
    return { value: this.settle(outcome.reply, host, fail) };
  }

  private async runNow(call: MethodCall, host: HostBridge, fail: Fail): Promise<Value> {
    if (this.closed) throw fail('closed', 'the sandbox is closed');
    const worker = this.takeWorker();
    this.onWorker += 1;
    try {
      return await this.runOn(worker, call, host, fail);
    } finally {
      this.onWorker -= 1;
      this.giveBack(worker);
      if (this.onWorker === 0) this.wakeIdleWaiters();
    }
  }

  /**
   * Resolves once no call is on a worker: starting a realm holds the host thread up, which
   * would hold up a worker's answer. It resolves as the last such call ends, so what it
   * starts runs before the next call can reach a worker (a caller sending one call after
   * another would otherwise never leave a gap). Rejects once the sandbox is closed.
   */
  private whenNoWorkerCall(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.closed) reject(new Error('the sandbox is closed'));
        else if (this.onWorker === 0) resolve();
        else this.idleWaiters.push(check);
      };
      check();
    });
  }

  /** Has what waits for no call on a worker check again. */
  private wakeIdleWaiters(): void {
    for (const check of this.idleWaiters.splice(0)) check();
  }

  private async runOn(
    worker: SandboxWorker,
    call: MethodCall,
    host: HostBridge,
    fail: Fail,
  ): Promise<Value> {
    const message = RUN + encodeCall(call);
    if (!worker.fits(message)) throw fail('error', 'the call is too large to pass to the sandbox');
    try {
      await worker.ready;
    } catch (error) {
      this.replace(worker);
      throw fail('crash', `the sandbox could not start: ${(error as Error).message}`);
    }
    let timedOut = false;
    const limitMs = this.limits.hardTimeoutMs;
    // The timer may fire late, after the host thread was held (a realm start, a long task)
    // while the worker's answer waited for it: only the worker's own time counts, so a call
    // that answered in time is never killed for the host's delay.
    const overdue = () => {
      const ran = worker.runTime;
      if (ran < limitMs) {
        timer = setTimeout(overdue, limitMs - ran);
        return;
      }
      timedOut = true;
      void worker.kill('hard time limit');
    };
    let timer = setTimeout(overdue, limitMs);
    try {
      const answer = answerer(call, host, (reply) => worker.fits(reply));
      let reply = await worker.call(message);
      while (
        reply !== undefined &&
        worker.deathReason === undefined &&
        (reply[0] === REQUEST || reply[0] === SOURCE)
      ) {
        reply = await worker.exchange(answer(reply));
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
      if (this.placement.ranOnWorker(call.cacheKey, worker.lastRunTime)) this.inThread.start();
      return this.settle(reply, host, fail, () => this.replace(worker));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The result of a finished call's DONE reply, its kept writes applied; or the failure of
   * its FAILED reply, after `onFatal` when the realm can no longer be trusted.
   */
  private settle(reply: string, host: HostBridge, fail: Fail, onFatal = () => {}): Value {
    if (reply[0] === DONE) {
      const newline = reply.indexOf('\n');
      const refused = applyKeptWrites(host, JSON.parse(reply.slice(1, newline)));
      if (refused !== undefined) throw fail('deferred-write', refused);
      return JSON.parse(reply.slice(newline + 1)) as Value;
    }
    if (reply[0] !== FAILED) throw fail('crash', 'the sandbox sent an unexpected message');
    const failure = JSON.parse(reply.slice(1)) as WireFailure;
    if (failure.fatal) onFatal();
    throw fail(failure.reason as SandboxError['reason'], failure.message, failure.guestStack);
  }

  /** An idle live worker (the most recently used), or a new one. */
  private takeWorker(): SandboxWorker {
    for (let worker = this.idle.pop(); worker !== undefined; worker = this.idle.pop()) {
      // A worker that died while idle (crashed, say) is dropped before it is handed a call.
      if (worker.deathReason === undefined) return worker;
      this.live.delete(worker);
    }
    return this.start();
  }

  /** Puts a worker back after a call, unless it was replaced or the sandbox closed. */
  private giveBack(worker: SandboxWorker): void {
    if (this.live.has(worker) && worker.deathReason === undefined) this.idle.push(worker);
  }

  private start(): SandboxWorker {
    const worker = new SandboxWorker(this.limits);
    this.workersStarted += 1;
    this.live.add(worker);
    return worker;
  }

  /** Drops a worker that can no longer be trusted, and starts its successor at once. */
  private replace(worker: SandboxWorker): void {
    if (worker.deathReason === undefined) void worker.kill('replaced');
    if (!this.live.delete(worker)) return;
    if (!this.closed) this.idle.unshift(this.start());
  }
}
