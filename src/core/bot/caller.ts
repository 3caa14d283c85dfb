/** The caller context of a message: who sent it, with which roles, from where. */
import { principalOf, type Caller } from '../access/principal.ts';
import { type Principal } from '../model/principal.ts';
import type { Send } from '../protocol.ts';

/**
 * Roles beyond what the front end says: the programmers, when the operator names them
 * (otherwise everyone may define methods by hand).
 */
export interface Roles {
  readonly programmers?: ReadonlySet<Principal>;
}

/** The caller context of `send`. The console's user is the operator at the machine. */
export function callerOf(send: Send, roles: Roles = {}): Caller {
  const principal = principalOf(send.platform, send.sender.id);
  const admin = send.sender.isAdmin;
  return {
    principal,
    platform: send.platform,
    admin,
    operator: send.platform === 'console' && admin,
    programmer: roles.programmers === undefined || admin || roles.programmers.has(principal),
    channel: send.channel,
    ...(send.thread === undefined ? {} : { thread: send.thread }),
    adminChannel: send.adminChannel,
    ...(send.sender.isPlaceAdmin === true ? { placeAdmin: true } : {}),
  };
}
