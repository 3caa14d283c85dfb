/**
 * The sandbox's side of method calls: one QuickJS realm serving one top-level call at a time,
 * nested sends included, with the guest's requests answered locally where the host allowed
 * it (writes to self, reads of self's small own slots) and sent to the host otherwise. It is
 * the same code whether the realm lives in a worker thread (worker.mjs, over the channel) or
 * on the host thread (in-thread.ts, by plain calls): only `ask`, the way to the host, differs.
 * It runs as plain JavaScript (no loader), so it cannot use src/core/errors.ts: its failures
 * are plain errors or GuestFailures, and the host reports each as a SandboxError.
 */
import {
  encodeDone,
  ERROR,
  FAILED,
  METHOD,
  REFUSED,
  REQUEST,
  SOURCE,
  UNDEFINED,
  VALUE,
} from '../wire.mjs';
import { GuestFailure, Realm } from './realm.mjs';
import { collectOids, collectOidsFromJson, refProblem } from './refs.mjs';

/** @typedef {import('../errors.ts').SandboxFailureReason} SandboxFailureReason */
/** @typedef {import('../wire.mjs').WireCall} WireCall */
/**
 * What a running method may do without asking the host (see `frames`).
 * @typedef {{ self: number, writable: boolean, own: Readonly<Record<string, unknown>> | undefined }} Frame
 */
/** @typedef {[frame: number, oid: number, slot: string, valueJson: string]} KeptWrite */

const MAX_MESSAGE = 2000;
/**
 * Slot names whose writes are kept here: ASCII identifiers, which the host always accepts.
 * Any other name (an accented one, parent*) goes to the host at once, which checks it.
 */
const SLOT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/**
 * Only small writes are kept, and not too many bytes of them: a large one goes to the host
 * at once, where the quotas refuse it at the line that made it, before more pile up here.
 */
const KEEP_VALUE_CHARS = 4096;
const KEEP_TOTAL_CHARS = 65536;

/**
 * How a call server reaches the host.
 * @typedef {object} CallServerOptions
 * @property {import('../limits.ts').SandboxLimits} limits the realm's limits; `timeoutMs` is its interrupt deadline
 * @property {(message: string) => string | undefined} ask hands a message (REQUEST or SOURCE) to
 *   the host and returns its reply, or undefined when the host gave up on this call
 * @property {(message: string) => boolean} fits whether a message may go to the host
 * @property {() => void} onCompile called once per compilation
 * @property {import('./realm.mjs').RealmOptions} [realm] how the realm is built (a worker's by default)
 */

/**
 * A call server: `run` takes a RUN message's text and returns the DONE or FAILED reply;
 * `broke` says whether QuickJS itself failed in the last call (the realm is then untrustworthy).
 * @typedef {{ realm: Realm, run: (message: string) => string, readonly broke: boolean }} CallServer
 */

/**
 * Builds a call server around a fresh realm.
 * @param {CallServerOptions} options
 * @returns {Promise<CallServer>}
 */
export async function createCallServer({ limits, ask, fits, onCompile, realm: realmOptions }) {
  // State of the top-level call in progress.
  /** The oids this call was shown, the only ones it may name. @type {Set<number>} */
  let known = new Set();
  let depth = 0;
  /**
   * What each running method may do without asking the host, by depth: its self, whether the
   * host let it keep writes to self, and self's own value slots as the host sent them (valid
   * only until the next exchange with the host, which may change them).
   * @type {Frame[]}
   */
  let frames = [];
  /** Writes kept for the host, in order. @type {KeptWrite[]} */
  let kept = [];
  /**
   * The values of those writes, by `oid slot`, so the method reads what it wrote.
   * @type {Map<string, string>}
   */
  let overlay = new Map();
  /**
   * Why a kept write was refused: the call then fails as `deferred-write` whatever it does.
   * @type {string | undefined}
   */
  let refusal;
  let keptChars = 0;
  /**
   * The first limit a nested call hit, so an uncaught failure reports it rather than "error".
   * @type {SandboxFailureReason | undefined}
   */
  let limitHit;
  /**
   * A failure of QuickJS itself (a wasm trap, say): the realm is no longer trustworthy.
   * @type {unknown}
   */
  let broken;

  const realm = await Realm.create(limits, serveGuest, onCompile, realmOptions);
  return {
    realm,
    run: runTopLevel,
    get broke() {
      return broken !== undefined;
    },
  };

  /**
   * @param {string} message
   * @returns {string}
   */
  function runTopLevel(message) {
    const reply = runCall(JSON.parse(message.slice(1)));
    if (broken || !realm.hasPendingJob()) return reply;
    // Promise jobs would run behind the next method's back, and QuickJS cannot drop them.
    /** @type {import('../wire.mjs').WireFailure | undefined} */
    const failure = reply.startsWith(FAILED) ? JSON.parse(reply.slice(1)) : undefined;
    const why = 'methods must be synchronous, but this one left promise jobs pending';
    return failed(failure?.reason ?? 'error', failure?.message ?? why, failure?.guestStack, true);
  }

  /**
   * @param {WireCall} call
   * @returns {string}
   */
  function runCall(call) {
    try {
      known = new Set([call.self]);
      collectOids(call.args, known);
      depth = 0;
      frames = [frameOf(call)];
      kept = [];
      keptChars = 0;
      overlay = new Map();
      refusal = undefined;
      limitHit = undefined;
      broken = undefined;
      realm.startClock(limits.timeoutMs);
      const result = runMethod(call);
      if (broken) throw broken;
      if (refusal !== undefined) return failed('deferred-write', refusal);
      const problem = resultProblem(result);
      if (problem) return failed(problem.reason, problem.message);
      return encodeDone(`[${kept.map(keptJson).join(',')}]`, result);
    } catch (error) {
      if (refusal !== undefined && !broken) return failed('deferred-write', refusal);
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

  /**
   * @param {WireCall} call
   * @returns {string}
   */
  function runMethod(call) {
    const fn =
      realm.cached(call.cacheKey) ?? realm.compile(call.cacheKey, fetchSource(), call.selector);
    return realm.invoke(fn, call.self, JSON.stringify(call.args), call.caller);
  }

  /**
   * Asks the host for the source of the call it just gave this worker.
   * @returns {string}
   */
  function fetchSource() {
    const reply = ask(SOURCE);
    if (reply === undefined) throw new Error('the sandbox is shutting down');
    if (reply[0] !== VALUE) throw new GuestFailure('invalid-method', reply.slice(1));
    return JSON.parse(reply.slice(1));
  }

  /**
   * @param {string} json
   * @returns {{ reason: SandboxFailureReason, message: string } | undefined}
   */
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

  /**
   * Answers one request from the guest (see guest-source.mjs) with a tagged reply.
   * @type {import('./realm.mjs').GuestHost}
   */
  function serveGuest(op, oid, name, payload) {
    try {
      const problem = payload === '' ? undefined : refProblem(payload, known);
      if (problem !== undefined) return ERROR + problem;
      const local = answerLocally(op, oid, name, payload);
      if (local !== undefined) return local;
      // The kept writes go first, in the same message, so the host sees them in order.
      const request = `${REQUEST}[${kept.map(keptJson).join(',')}${kept.length > 0 ? ',' : ''}[${depth},${JSON.stringify(op)},${oid},${JSON.stringify(name)}${payload === '' ? '' : ',' + payload}]]`;
      if (!fits(request)) return ERROR + `the value is too large to pass to the host`;
      kept = [];
      keptChars = 0;
      overlay = new Map();
      for (const frame of frames) frame.own = undefined;
      const reply = ask(request);
      if (reply === undefined) return ERROR + 'the sandbox is shutting down';
      if (reply[0] === REFUSED) {
        refusal ??= reply.slice(1);
        return ERROR + reply.slice(1);
      }
      if (reply[0] === VALUE) collectOidsFromJson(reply.slice(1), known);
      return reply[0] === METHOD ? runNested(JSON.parse(reply.slice(1))) : reply;
    } catch (error) {
      broken ??= error;
      return ERROR + 'the sandbox failed';
    }
  }

  /**
   * The reply to a request the worker can answer itself, or undefined: a write to self the
   * host let the method keep, and a read of a slot of self it wrote or was sent.
   * @param {string} op
   * @param {number} oid
   * @param {string} name
   * @param {string} payload
   * @returns {string | undefined}
   */
  function answerLocally(op, oid, name, payload) {
    const frame = frames[depth];
    if (frame === undefined || oid !== frame.self) return undefined;
    const key = `${oid} ${name}`;
    if (
      op === 'set' &&
      frame.writable &&
      SLOT_NAME.test(name) &&
      payload.length <= KEEP_VALUE_CHARS &&
      keptChars + payload.length <= KEEP_TOTAL_CHARS
    ) {
      kept.push([depth, oid, name, payload]);
      keptChars += payload.length;
      overlay.set(key, payload);
      return UNDEFINED;
    }
    if (op !== 'get') return undefined;
    const written = overlay.get(key);
    if (written !== undefined) return VALUE + written;
    const own = frame.own?.[name];
    if (own === undefined) return undefined;
    const json = JSON.stringify(own);
    collectOidsFromJson(json, known);
    return VALUE + json;
  }

  /**
   * What a call lets its method do without asking the host.
   * @param {WireCall} call
   * @returns {Frame}
   */
  function frameOf(call) {
    return { self: call.self, writable: call.writable === true, own: call.own };
  }

  /**
   * @param {KeptWrite} write
   * @returns {string}
   */
  function keptJson([frame, oid, name, payload]) {
    return `[${frame},"set",${oid},${JSON.stringify(name)},${payload}]`;
  }

  /**
   * Runs a method a nested send resolved to, in this same realm; its failure becomes the caller's error.
   * @param {WireCall} call
   * @returns {string}
   */
  function runNested(call) {
    if (depth >= limits.maxDepth) {
      limitHit ??= 'depth';
      return ERROR + `send depth limit (${limits.maxDepth}) exceeded by ${call.selector}`;
    }
    known.add(call.self);
    collectOids(call.args, known);
    depth += 1;
    frames[depth] = frameOf(call);
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
      frames.length = depth;
      depth -= 1;
    }
  }

  /**
   * Tells the host that the method at `frame` failed: its writes go, even if its caller catches.
   * @param {number} frame
   */
  function rollBack(frame) {
    // Every write still kept is its own or a callee's (its callers wait while it runs, and any
    // request of theirs took their kept writes along): they never reach the host at all.
    kept = [];
    keptChars = 0;
    overlay = new Map();
    for (const running of frames) running.own = undefined;
    if (ask(`${REQUEST}[[${frame},"rollback",0,""]]`) === undefined)
      throw new Error('the sandbox is shutting down');
  }

  /**
   * @param {SandboxFailureReason} reason
   * @param {string} message
   * @param {string} [guestStack]
   * @returns {string} the FAILED message for the host
   */
  function failed(reason, message, guestStack, fatal = false) {
    const failure = {
      reason,
      message: message.slice(0, MAX_MESSAGE),
      guestStack: guestStack?.slice(0, MAX_MESSAGE),
      fatal,
    };
    return FAILED + JSON.stringify(failure);
  }
}
