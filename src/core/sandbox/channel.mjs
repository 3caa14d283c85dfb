/**
 * A one-message-at-a-time channel over a SharedArrayBuffer, shared by the host and the
 * sandbox worker. The two sides strictly take turns: whoever writes hands the turn over by
 * setting the state word and notifying. The worker blocks with `Atomics.wait`; the host
 * never sleeps (it awaits `Atomics.waitAsync`), so its event loop keeps running.
 *
 * Either side first spins for its turn: most answers come sooner than the spin ends, and
 * falling asleep costs a futex wake (and, on the host, a turn of the event loop), which
 * measured as most of a trivial call on a 2-core machine. The worker spins longer, since it
 * has nothing else to do and a lone sender's next call comes within half a millisecond; the
 * host spins briefly, since other sends may need its thread. Without a second core the
 * other side cannot run during a spin, so neither spins.
 *
 * Layout: Int32 state, Int32 byte length, Int32 count of compilations (for stats), Int32
 * how long the worker's call had run at its last message (µs, see lastRunTime), then the
 * UTF-8 text of the message.
 */

import { availableParallelism } from 'node:os';

/** Nobody has written yet. */
export const IDLE = 0;
/** A message for the worker is waiting. */
export const TO_WORKER = 1;
/** A message for the host is waiting. */
export const TO_HOST = 2;
/** The host gave up on this worker (timeout, crash or close); nothing more will come. */
export const DEAD = 3;
/** @typedef {typeof IDLE | typeof TO_WORKER | typeof TO_HOST | typeof DEAD} ChannelState */

const HEADER_BYTES = 16;

/**
 * `Atomics.waitAsync`, which Node 20 has; TypeScript's lib lists it only from ES2024, whose
 * other additions Node 20 lacks.
 * @type {(typed: Int32Array, index: number, value: number) =>
 *   { async: false, value: string } | { async: true, value: Promise<string> }}
 */
const waitAsync = /** @type {{ waitAsync: typeof waitAsync }} */ (/** @type {unknown} */ (Atomics))
  .waitAsync;

const SPINS = availableParallelism() > 1;
/** How long the host spins for the worker's answer before it awaits it (ms). */
const HOST_SPIN_MS = SPINS ? 0.1 : 0;
/** How long the worker spins for the host's next message before it sleeps (ms). */
const WORKER_SPIN_MS = SPINS ? 0.5 : 0;

/**
 * A new shared buffer able to carry messages of up to `capacity` UTF-8 bytes.
 * @param {number} capacity
 * @returns {SharedArrayBuffer}
 */
export function createChannelBuffer(capacity) {
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/**
 * Whether a message fits in `capacity` UTF-8 bytes.
 * @param {string} text
 * @param {number} capacity
 * @returns {boolean}
 */
export function fitsIn(text, capacity) {
  // Every UTF-16 unit takes at most 3 UTF-8 bytes: short texts skip the exact count.
  return text.length * 3 <= capacity || Buffer.byteLength(text) <= capacity;
}

export class Channel {
  /** @param {SharedArrayBuffer} buffer */
  constructor(buffer) {
    this.words = new Int32Array(buffer, 0, 4);
    this.bytes = Buffer.from(buffer, HEADER_BYTES);
    this.capacity = this.bytes.length;
  }

  /**
   * Whether a message fits in the buffer.
   * @param {string} text
   * @returns {boolean}
   */
  fits(text) {
    return fitsIn(text, this.capacity);
  }

  /**
   * Writes a message (the caller checked {@link fits}) and hands the turn to `state`.
   * @param {string} text
   * @param {typeof TO_WORKER | typeof TO_HOST} state
   */
  post(text, state) {
    const length = this.bytes.write(text, 0, 'utf8');
    Atomics.store(this.words, 1, length);
    Atomics.store(this.words, 0, state);
    Atomics.notify(this.words, 0);
  }

  /**
   * The message last written.
   * @returns {string}
   */
  read() {
    return this.bytes.toString('utf8', 0, Atomics.load(this.words, 1));
  }

  /**
   * The current state word.
   * @returns {ChannelState}
   */
  state() {
    return /** @type {ChannelState} */ (Atomics.load(this.words, 0));
  }

  /**
   * Worker side: blocks until the state is `state` or DEAD, and returns it.
   * @param {ChannelState} state
   * @returns {ChannelState}
   */
  waitFor(state) {
    this.spin(state, WORKER_SPIN_MS);
    for (;;) {
      const now = Atomics.load(this.words, 0);
      if (now === state || now === DEAD) return now;
      Atomics.wait(this.words, 0, now);
    }
  }

  /**
   * Host side: resolves once the state is `state` or DEAD; past a brief spin, without blocking.
   * @param {ChannelState} state
   * @returns {Promise<ChannelState>}
   */
  async waitForAsync(state) {
    this.spin(state, HOST_SPIN_MS);
    for (;;) {
      const now = Atomics.load(this.words, 0);
      if (now === state || now === DEAD) return now;
      const waiting = waitAsync(this.words, 0, now);
      if (waiting.async) await waiting.value;
    }
  }

  /**
   * Busy-waits up to `ms` for the state to become `state` or DEAD.
   * @param {ChannelState} state
   * @param {number} ms
   */
  spin(state, ms) {
    if (ms === 0) return;
    const until = performance.now() + ms;
    do {
      const now = Atomics.load(this.words, 0);
      if (now === state || now === DEAD) return;
    } while (performance.now() < until);
  }

  /** Worker side: counts one compilation. */
  countCompile() {
    Atomics.add(this.words, 2, 1);
  }

  /**
   * How many sources the worker has compiled.
   * @returns {number}
   */
  compiles() {
    return Atomics.load(this.words, 2);
  }

  /**
   * Records how long the call in progress has run, by the worker's clock: the worker at each
   * message to the host (its requests and its answer), the host as it hands over a call (0).
   * @param {number} ms
   */
  recordRunTime(ms) {
    Atomics.store(this.words, 3, Math.min(2 ** 31 - 1, Math.round(ms * 1000)));
  }

  /**
   * How long the worker's call had run when it last wrote to the host (ms), by the worker's
   * own clock: neither its waits for the host's replies nor the wake-ups around the call count.
   * @returns {number}
   */
  lastRunTime() {
    return Atomics.load(this.words, 3) / 1000;
  }

  /** Host side: marks the channel dead and wakes anyone waiting on it. */
  kill() {
    Atomics.store(this.words, 0, DEAD);
    Atomics.notify(this.words, 0);
  }
}
