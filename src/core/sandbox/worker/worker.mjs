/**
 * The sandbox worker: one QuickJS realm, serving one method call at a time over the channel.
 * It blocks between messages (Atomics.wait), so its own event loop never runs; the host stops
 * it with `worker.terminate()` when the hard time limit passes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Channel, DEAD, TO_HOST, TO_WORKER } from '../channel.mjs';
import { DONE, ERROR, FAILED, METHOD, REQUEST, SOURCE, VALUE } from '../wire.mjs';
import { GuestFailure, Realm } from './realm.mjs';
import { collectOids, collectOidsFromJson, refProblem } from './refs.mjs';

const MAX_MESSAGE = 2000;
const { buffer, limits } = workerData;
const channel = new Channel(buffer);

/** State of the top-level call in progress. */
let known = new Set();
let depth = 0;
/** The first limit a nested call hit, so an uncaught failure reports it rather than "error". */
let limitHit;
/** A failure of QuickJS itself (a wasm trap, say): the realm is no longer trustworthy. */
let broken;

const realm = await Realm.create(limits, serveGuest, () => channel.countCompile());
parentPort.postMessage('ready');

while (channel.waitFor(TO_WORKER) !== DEAD) {
  channel.post(runTopLevel(channel.read()), TO_HOST);
}

function runTopLevel(message) {
  const reply = runCall(JSON.parse(message.slice(1)));
  if (broken || !realm.hasPendingJob()) return reply;
  // Promise jobs would run behind the next method's back, and QuickJS cannot drop them.
  const failure = reply.startsWith(FAILED) ? JSON.parse(reply.slice(1)) : undefined;
  const why = 'methods must be synchronous, but this one left promise jobs pending';
  return failed(failure?.reason ?? 'error', failure?.message ?? why, failure?.guestStack, true);
}

function runCall(call) {
  try {
    known = new Set([call.self]);
    collectOids(call.args, known);
    depth = 0;
    limitHit = undefined;
    broken = undefined;
    realm.startClock(limits.timeoutMs);
    const result = runMethod(call);
    if (broken) throw broken;
    const problem = resultProblem(result);
    if (problem) return failed(problem.reason, problem.message);
    return DONE + result;
  } catch (error) {
    if (broken || !(error instanceof GuestFailure)) {
      const cause = broken ?? error;
      const text = cause instanceof Error ? cause.message : String(cause);
      return failed(
        /memory|OOM/i.test(text) ? 'memory' : 'crash',
        `the sandbox failed: ${text}`,
        undefined,
        true,
      );
    }
    const reason = error.reason === 'error' ? (limitHit ?? 'error') : error.reason;
    return failed(
      reason,
      error.message,
      error.guestStack,
      reason === 'timeout' || reason === 'memory',
    );
  }
}

function runMethod(call) {
  const fn =
    realm.cached(call.cacheKey) ?? realm.compile(call.cacheKey, fetchSource(), call.selector);
  return realm.invoke(fn, call.self, JSON.stringify(call.args));
}

/** Asks the host for the source of the call it just gave this worker. */
function fetchSource() {
  channel.post(SOURCE, TO_HOST);
  if (channel.waitFor(TO_WORKER) === DEAD) throw new Error('the sandbox is shutting down');
  const reply = channel.read();
  if (reply[0] !== VALUE) throw new GuestFailure('invalid-method', reply.slice(1));
  return JSON.parse(reply.slice(1));
}

function resultProblem(json) {
  if (json.length > limits.maxResultBytes || Buffer.byteLength(json) > limits.maxResultBytes) {
    return {
      reason: 'result-too-large',
      message: `the result exceeds ${limits.maxResultBytes} bytes`,
    };
  }
  const problem = refProblem(json, known);
  return problem === undefined ? undefined : { reason: 'invalid-result', message: problem };
}

/** Answers one request from the guest (see guest-source.mjs) with a tagged reply. */
function serveGuest(op, oid, name, payload) {
  try {
    const problem = payload === '' ? undefined : refProblem(payload, known);
    if (problem !== undefined) return ERROR + problem;
    // The depth tells the host which method is asking: each runs with its own owner's authority.
    const request = `${REQUEST}[${depth},${JSON.stringify(op)},${oid},${JSON.stringify(name)}${payload === '' ? '' : ',' + payload}]`;
    if (!channel.fits(request)) return ERROR + `the value is too large to pass to the host`;
    channel.post(request, TO_HOST);
    if (channel.waitFor(TO_WORKER) === DEAD) return ERROR + 'the sandbox is shutting down';
    const reply = channel.read();
    if (reply[0] === VALUE) collectOidsFromJson(reply.slice(1), known);
    return reply[0] === METHOD ? runNested(JSON.parse(reply.slice(1))) : reply;
  } catch (error) {
    broken ??= error;
    return ERROR + 'the sandbox failed';
  }
}

/** Runs a method a nested send resolved to, in this same realm; its failure becomes the caller's error. */
function runNested(call) {
  if (depth >= limits.maxDepth) {
    limitHit ??= 'depth';
    return ERROR + `send depth limit (${limits.maxDepth}) exceeded by ${call.selector}`;
  }
  known.add(call.self);
  collectOids(call.args, known);
  depth += 1;
  try {
    const result = runMethod(call);
    const problem = resultProblem(result);
    if (problem) {
      limitHit ??= problem.reason;
      rollBack(depth);
      return ERROR + problem.message;
    }
    return VALUE + result;
  } catch (error) {
    if (!(error instanceof GuestFailure)) throw error;
    if (error.reason !== 'error') limitHit ??= error.reason;
    rollBack(depth);
    return ERROR + error.guestMessage;
  } finally {
    depth -= 1;
  }
}

/** Tells the host that the method at `frame` failed: its writes go, even if its caller catches. */
function rollBack(frame) {
  channel.post(`${REQUEST}[${frame},"rollback",0,""]`, TO_HOST);
  if (channel.waitFor(TO_WORKER) === DEAD) throw new Error('the sandbox is shutting down');
  channel.read();
}

function failed(reason, message, guestStack, fatal = false) {
  const failure = {
    reason,
    message: message.slice(0, MAX_MESSAGE),
    guestStack: guestStack?.slice(0, MAX_MESSAGE),
    fatal,
  };
  return FAILED + JSON.stringify(failure);
}
