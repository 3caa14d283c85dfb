/**
 * The sandbox worker: one call server (calls.mjs) serving one method call at a time over the
 * channel. It blocks between messages (Atomics.wait), so its own event loop never runs; the
 * host stops it with `worker.terminate()` when the hard time limit passes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Channel, DEAD, TO_HOST, TO_WORKER } from '../channel.mjs';
import { createCallServer } from './calls.mjs';

const { buffer, limits } =
  /** @type {{ buffer: SharedArrayBuffer, limits: import('../limits.ts').SandboxLimits }} */ (
    workerData
  );
const channel = new Channel(buffer);

/** When the call in progress started, and how long it has waited for the host's replies (ms). */
let started = 0;
let waited = 0;
const server = await createCallServer({
  limits,
  ask: (message) => {
    const asked = performance.now();
    // The host's hard time limit counts the worker's own time only: recorded at each turn.
    channel.recordRunTime(asked - started - waited);
    channel.post(message, TO_HOST);
    const state = channel.waitFor(TO_WORKER);
    waited += performance.now() - asked;
    return state === DEAD ? undefined : channel.read();
  },
  fits: (message) => channel.fits(message),
  onCompile: () => channel.countCompile(),
});
// This file runs only as a worker, which always has a parent port.
/** @type {import('node:worker_threads').MessagePort} */ (parentPort).postMessage('ready');

while (channel.waitFor(TO_WORKER) !== DEAD) {
  waited = 0;
  started = performance.now();
  const reply = server.run(channel.read());
  channel.recordRunTime(performance.now() - started - waited);
  channel.post(reply, TO_HOST);
}
