/**
 * Serves the guest's requests on the host thread: each is one synchronous {@link HostBridge}
 * call, answered with a tagged reply (see wire.mjs). Host errors become messages only, so no
 * host object ever reaches the guest.
 */
import type { HostBridge } from './contract.ts';
import type { Oid, Value } from '../model/value.ts';
import type { MethodCall } from './contract.ts';
import { encodeCall, ERROR, METHOD, UNDEFINED, VALUE } from './wire.mjs';

type Request =
  | ['get', Oid, string]
  | ['set', Oid, string, Value]
  | ['remove', Oid, string]
  | ['slotNames', Oid, string]
  | ['send', Oid, string, Value[]];

/**
 * The reply to one request (the text after the REQUEST tag). A send that resolves to a method
 * hands that call to `onMethod`, so its source can be given when the worker asks for it.
 */
export function serveRequest(
  host: HostBridge,
  text: string,
  onMethod: (call: MethodCall) => void,
): string {
  let request: Request;
  try {
    request = JSON.parse(text) as Request;
  } catch {
    return ERROR + 'malformed request';
  }
  try {
    switch (request[0]) {
      case 'get': {
        const value = host.get(request[1], request[2]);
        return value === undefined ? UNDEFINED : VALUE + JSON.stringify(value);
      }
      case 'set':
        host.set(request[1], request[2], request[3]);
        return UNDEFINED;
      case 'remove':
        host.remove(request[1], request[2]);
        return UNDEFINED;
      case 'slotNames':
        return VALUE + JSON.stringify(host.slotNames(request[1]));
      case 'send': {
        const resolution = host.resolveSend(request[1], request[2], request[3]);
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
