/**
 * Serves the guest's requests on the host thread: each is one synchronous {@link HostBridge}
 * call, answered with a tagged reply (see wire.mjs). Host errors become messages only, so no
 * host object ever reaches the guest.
 */
import type { HostBridge } from './contract.ts';
import type { Oid, Value } from '../model/value.ts';
import type { MethodCall } from './contract.ts';
import { encodeCall, ERROR, METHOD, REFUSED, SOURCE, UNDEFINED, VALUE } from './wire.mjs';

/** A request, after the depth of the method that made it (0 for the method the host ran). */
type Request =
  | [number, 'get', Oid, string]
  | [number, 'set', Oid, string, Value]
  | [number, 'remove', Oid, string]
  | [number, 'slotNames', Oid, string]
  | [number, 'send', Oid, string, Value[]]
  | [number, 'rollback', Oid, string];

/** A write the worker kept, as it travels: a `set` request `[frame, 'set', oid, slot, value]`. */
type KeptRequest = readonly [number, string, Oid, string, Value];

/**
 * Applies writes the worker kept, in order; returns why the first refused one was refused,
 * or undefined when all were applied.
 */
export function applyKeptWrites(
  host: HostBridge,
  writes: readonly KeptRequest[],
): string | undefined {
  for (const [frame, , oid, slot, value] of writes) {
    try {
      host.set(frame, oid, slot, value);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  return undefined;
}

/**
 * The reply to one message of requests (the text after the REQUEST tag): writes the worker
 * kept, then the request the reply answers. A send that resolves to a method hands that call
 * to `onMethod`, so its source can be given when the worker asks for it.
 */
export function serveRequest(
  host: HostBridge,
  text: string,
  onMethod: (call: MethodCall) => void,
): string {
  let requests: Request[];
  try {
    requests = JSON.parse(text) as Request[];
  } catch {
    return ERROR + 'malformed request';
  }
  const request = requests.pop();
  if (request === undefined) return ERROR + 'malformed request';
  // Every request before the last is a write the worker kept.
  const refused = applyKeptWrites(host, requests as unknown as KeptRequest[]);
  if (refused !== undefined) return REFUSED + refused;
  try {
    const frame = request[0];
    switch (request[1]) {
      case 'get': {
        const value = host.get(frame, request[2], request[3]);
        return value === undefined ? UNDEFINED : VALUE + JSON.stringify(value);
      }
      case 'set':
        host.set(frame, request[2], request[3], request[4]);
        return UNDEFINED;
      case 'remove':
        host.remove(frame, request[2], request[3]);
        return UNDEFINED;
      case 'slotNames':
        return VALUE + JSON.stringify(host.slotNames(frame, request[2]));
      case 'rollback':
        host.rollback(frame);
        return UNDEFINED;
      case 'send': {
        const resolution = host.resolveSend(frame, request[2], request[3], request[4]);
        if (resolution.kind === 'result') return VALUE + JSON.stringify(resolution.value);
        onMethod(resolution.call);
        return METHOD + encodeCall(resolution.call);
      }
      default:
        return ERROR + 'unknown request';
    }
  } catch (error) {
    return ERROR + (error instanceof Error ? error.message : String(error));
  }
}

/**
 * Answers the realm's messages to the host during one call, in a worker or in-thread: its
 * requests (see {@link serveRequest}), and its asks for the source of the call it was handed
 * last (the top-level call, or the method a nested send resolved to). A reply that does not
 * `fit` the way back becomes an error the guest sees.
 */
export function answerer(
  call: MethodCall,
  host: HostBridge,
  fits: (reply: string) => boolean,
): (message: string) => string {
  let latest = call;
  const remember = (nested: MethodCall) => (latest = nested);
  return (message) => {
    const reply =
      message[0] === SOURCE
        ? VALUE + JSON.stringify(latest.source)
        : serveRequest(host, message.slice(1), remember);
    return fits(reply) ? reply : ERROR + 'the value is too large to pass to the sandbox';
  };
}
