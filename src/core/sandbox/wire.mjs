/**
 * The messages the host and the sandbox worker exchange over a {@link Channel}. Each is one
 * text whose first character says what it is; value payloads are raw JSON, spliced in rather
 * than quoted, so a value is serialised once per crossing.
 *
 * host → worker: RUN + call JSON; then, answering a host request,
 *   VALUE + JSON | UNDEFINED | ERROR + message | METHOD + call JSON.
 * worker → host: REQUEST + a JSON list of requests `[frame, op, oid, name, payload?]`
 *   while running — writes the worker kept, then the one that needs an answer, which the
 *   reply is for; SOURCE when it has not compiled the call it was just given (answered with
 *   VALUE + the source as a JSON string); DONE + kept writes + result (see encodeDone) |
 *   FAILED + failure JSON when finished.
 *
 * A call travels without its source (see {@link encodeCall}): the worker keeps compiled
 * methods by cache key and asks for the source only when it lacks one.
 */
export const RUN = 'R';
export const VALUE = 'v';
export const UNDEFINED = 'u';
export const ERROR = 'e';
export const METHOD = 'm';
export const REQUEST = 'H';
export const DONE = 'D';
export const FAILED = 'F';
export const SOURCE = 'S';
/** The reply when a write the worker kept was refused: the call must run again. */
export const REFUSED = 'x';

/**
 * What the worker reports when a run fails.
 * @typedef {object} WireFailure
 * @property {import('./errors.ts').SandboxFailureReason} reason
 * @property {string} message
 * @property {string} [guestStack]
 * @property {boolean} fatal the worker's QuickJS can no longer be trusted; the host replaces the worker
 */

/**
 * A MethodCall as the worker receives it: without its source.
 * @typedef {object} WireCall
 * @property {string} cacheKey
 * @property {number} self
 * @property {string} caller
 * @property {string} selector
 * @property {readonly unknown[]} args
 * @property {boolean} writable
 * @property {Readonly<Record<string, unknown>>} [own]
 */

/**
 * A MethodCall as JSON, without its source.
 * @param {Omit<WireCall, 'writable'> & { readonly writable?: boolean }} call
 * @returns {string}
 */
export function encodeCall(call) {
  return JSON.stringify({
    cacheKey: call.cacheKey,
    self: call.self,
    caller: call.caller,
    selector: call.selector,
    args: call.args,
    writable: call.writable === true,
    own: call.own,
  });
}

/**
 * DONE's payload: the writes the worker kept (JSON array of `[frame, oid, slot, value]`), a
 * newline, then the result's JSON. JSON text never holds a raw newline.
 * @param {string} writes
 * @param {string} resultJson
 * @returns {string}
 */
export function encodeDone(writes, resultJson) {
  return `${DONE}${writes}\n${resultJson}`;
}
