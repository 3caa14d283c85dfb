/**
 * A call server (worker/calls.mjs, the same code a worker runs) on the host thread, for short
 * calls: no thread to wake, and the guest's host requests are plain calls. Its realm is a
 * QuickJS runtime of its own, in a WebAssembly memory of its own, with the workers' stack
 * limit; only its interrupt deadline is short (see placement.ts), and its heap is small
 * (see worker/heap-cap.mjs), since a long native operation, unseen by the interrupt, needs
 * a big heap to work on. A call that hits either is not failed: the runner runs it again on
 * a worker under the full limits.
 */
import { fitsIn } from './channel.mjs';
import type { SandboxLimits } from './limits.ts';
import { FAILED, RUN, SOURCE, type WireFailure } from './wire.mjs';
import { createCallServer, type CallServer } from './worker/calls.mjs';

/**
 * How an in-thread run ended. `dropped`: the realm could no longer be trusted and was
 * dropped; starting the next one holds the host thread up (a tenth of a second to a second
 * on a loaded 2-core machine).
 */
export type InThreadOutcome =
  /** A DONE or FAILED reply, as a worker would have given. */
  | { readonly kind: 'answered'; readonly reply: string; readonly dropped: boolean }
  /**
   * It hit the in-thread deadline, or the realm itself failed: it must run again on a
   * worker. `askedHost`: it made host requests, whose effects must be taken back first.
   */
  | { readonly kind: 'moved'; readonly askedHost: boolean; readonly dropped: boolean };

/** How many calls run between checks that the realm's capped heap still has room. */
const ROOM_CHECK_CALLS = 100;

export class InThreadSandbox {
  /** Sources compiled here, by every realm so far. */
  compiles = 0;
  /** Realms whose start began (held the host thread) so far. */
  realmsStarted = 0;
  private server: CallServer | undefined;
  /** Whether a realm is being started, or cannot be (then calls run on workers only). */
  private starting = false;
  private closed = false;
  /** Answers the running call's messages to the host; undefined between calls. */
  private answer: ((message: string) => string) | undefined;
  private askedHost = false;
  /** Calls run since the realm's heap was last checked for room (see {@link checkRoom}). */
  private callsSinceRoomCheck = 0;

  /**
   * @param limits the workers' limits with `timeoutMs` the in-thread deadline
   * @param spareHeapBytes the heap a call may use beyond the realm's own (see worker/heap-cap.mjs)
   * @param whenIdle resolves when the host thread may be held up (no worker call waits on it)
   */
  constructor(
    private readonly limits: SandboxLimits,
    private readonly spareHeapBytes: number,
    private readonly whenIdle: () => Promise<void>,
  ) {}

  /** Whether a call can run here now: the realm is up and no call is running (a call never re-enters). */
  get ready(): boolean {
    return this.server !== undefined && this.answer === undefined;
  }

  /**
   * Starts a realm, unless one is up or starting, once {@link whenIdle} says so: starting one
   * holds the host thread up for a while (a tenth of a second to a second, see
   * {@link InThreadOutcome}), in its steps between which `whenIdle` is asked again.
   * `renew`: starts one even though one is up, to take its place once started.
   */
  start(renew = false): void {
    if (this.starting || this.closed || (this.server !== undefined && !renew)) return;
    this.starting = true;
    let began = false;
    const whenIdle = async () => {
      await this.whenIdle();
      if (!began) this.realmsStarted += 1;
      began = true;
    };
    createCallServer({
      realm: { whenIdle, spareHeapBytes: this.spareHeapBytes },
      limits: this.limits,
      ask: (message) => {
        if (message[0] !== SOURCE) this.askedHost = true;
        return this.answer!(message);
      },
      fits: (message) => fitsIn(message, this.limits.maxTransferBytes),
      onCompile: () => (this.compiles += 1),
    }).then(
      (server) => {
        if (!this.closed) this.server = server;
        this.starting = false;
      },
      // `starting` stays set: calls run on workers only, which report what stops QuickJS.
      () => undefined,
    );
  }

  /**
   * Runs a call (its RUN message's text after the tag, see encodeCall) to the end, on this
   * thread; `answer` answers its requests and asks for source. Only when {@link ready}.
   */
  run(callJson: string, answer: (message: string) => string): InThreadOutcome {
    const server = this.server!;
    this.answer = answer;
    this.askedHost = false;
    try {
      const reply = server.run(RUN + callJson);
      const failure = reply.startsWith(FAILED)
        ? (JSON.parse(reply.slice(1)) as WireFailure)
        : undefined;
      // Stopped at the in-thread deadline, or past the in-thread heap: what the method did
      // next (caught it, say) does not count, as neither limit is the call's own.
      const stopped = server.realm.interrupted || server.realm.outgrew;
      // A realm that failed (QuickJS itself, out of the workers' memory limit, promise jobs
      // left behind) is dropped, as a worker would be; its memory goes with it, and a later
      // call starts another. One only stopped in-thread is kept: QuickJS recovers from both,
      // and its next call starts afresh.
      const dropped =
        failure?.fatal === true && (!stopped || server.broke || server.realm.hasPendingJob());
      if (dropped) this.server = undefined;
      else this.checkRoom(server);
      // A crash may be this thread's own (its stack is not a worker's): a worker answers it.
      if (stopped || failure?.reason === 'crash')
        return { kind: 'moved', askedHost: this.askedHost, dropped };
      return { kind: 'answered', reply, dropped };
    } catch {
      this.server = undefined;
      return { kind: 'moved', askedHost: this.askedHost, dropped: true };
    } finally {
      this.answer = undefined;
    }
  }

  /**
   * Renews a realm whose own memory (its compiled methods, see HeapCap.roomy) leaves calls too
   * little of its capped heap: at once when a call just outgrew it (every call would), else
   * a fresh one is started and takes over once up. No call is to blame for it.
   */
  private checkRoom(server: CallServer): void {
    const outgrew = server.realm.outgrew;
    this.callsSinceRoomCheck += 1;
    if (!outgrew && this.callsSinceRoomCheck < ROOM_CHECK_CALLS) return;
    this.callsSinceRoomCheck = 0;
    if (server.realm.heapRoomy()) return;
    if (outgrew) this.server = undefined;
    this.start(true);
  }

  /** Drops the realm: a later call starts another. */
  close(): void {
    this.closed = true;
    this.server = undefined;
  }
}
