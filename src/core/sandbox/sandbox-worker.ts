/**
 * The host's handle on one sandbox worker thread: starts it, talks to it over the channel,
 * and kills it. Once dead (killed, crashed, or exited) it stays dead; the runner starts another.
 */
import { Worker } from 'node:worker_threads';
import { Channel, createChannelBuffer, DEAD, TO_HOST, TO_WORKER } from './channel.mjs';
import type { SandboxLimits } from './limits.ts';

const WORKER_URL = new URL('./worker/worker.mjs', import.meta.url);

export class SandboxWorker {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly channel: Channel;
  /** Why the worker died, once it has. */
  private death: string | undefined;
  /** When the host last handed the worker the turn (performance.now). */
  private postedAt = 0;

  constructor(limits: SandboxLimits) {
    const buffer = createChannelBuffer(limits.maxTransferBytes);
    this.channel = new Channel(buffer);
    this.worker = new Worker(WORKER_URL, {
      workerData: { buffer, limits },
      // The worker is plain JavaScript: it needs none of the host's loaders or flags.
      execArgv: [],
      // Bounds the worker's own V8 heap (strings copied out of QuickJS); wasm memory is capped apart.
      // The big stack keeps the wasm frames of QuickJS's 256 KiB stack from overflowing the host's first.
      resourceLimits: { maxOldGenerationSizeMb: 128, stackSizeMb: 16 },
    });
    // An idle sandbox must not keep the process alive; a running call holds a timer that does.
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', (error) => {
        this.die(`the sandbox worker failed: ${error.message}`);
        reject(error);
      });
      this.worker.once('exit', (code) => {
        this.die(`the sandbox worker exited (code ${code})`);
        // Plain: the runner reports it as the SandboxError `crash` of the run that waited.
        reject(new Error(`the sandbox worker exited (code ${code}) before it was ready`));
      });
    });
    // Startup failures surface through the run that awaits `ready`.
    this.ready.catch(() => undefined);
  }

  /** Why the worker died, or undefined while it lives. */
  get deathReason(): string | undefined {
    return this.death;
  }

  /** How many sources this worker has compiled. */
  get compiles(): number {
    return this.channel.compiles();
  }

  /** How long the last call this worker answered ran, by its own clock, less its waits for the host (ms). */
  get lastRunTime(): number {
    return this.channel.lastRunTime();
  }

  /**
   * How long the call in progress has run so far (ms), by the worker's clock, less its waits
   * for the host: what its hard time limit counts. While the worker has the turn, that is
   * its time at its last message plus the time since the host answered it (which overstates
   * only by the worker's wake-up); while the host has the turn (the worker's answer or request
   * waits for the host thread), the worker is not running and the count stands still.
   */
  get runTime(): number {
    const recorded = this.channel.lastRunTime();
    if (this.channel.state() !== TO_WORKER) return recorded;
    return recorded + (performance.now() - this.postedAt);
  }

  /** Hands the worker a call's RUN message, its run time counted afresh; as {@link exchange}. */
  call(message: string): Promise<string | undefined> {
    this.channel.recordRunTime(0);
    return this.exchange(message);
  }

  /** Sends a message and resolves with the worker's answer, or undefined if it died meanwhile. */
  async exchange(message: string): Promise<string | undefined> {
    this.postedAt = performance.now();
    this.channel.post(message, TO_WORKER);
    if ((await this.channel.waitForAsync(TO_HOST)) === DEAD) return undefined;
    return this.channel.read();
  }

  /** Whether a message fits the channel. */
  fits(message: string): boolean {
    return this.channel.fits(message);
  }

  /** Terminates the thread, whatever it is doing; waiters wake and see it dead. */
  kill(reason: string): Promise<void> {
    this.die(reason);
    return this.worker.terminate().then(() => undefined);
  }

  private die(reason: string): void {
    this.death ??= reason;
    this.channel.kill();
  }
}
