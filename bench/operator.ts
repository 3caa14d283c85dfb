/** How the benches send: as the operator at the console, one parsed line at a time. */
import type { Caller } from '../src/core/access/principal.ts';
import { callerOf } from '../src/core/bot/caller.ts';
import { parseLine, type ParsedLine } from '../src/core/uvm/parser.ts';
import type { Uvm } from '../src/core/uvm/uvm.ts';
import type { SendOutcome } from '../src/core/uvm/delivery.ts';

/** The operator at the console: every check runs (only quotas on owned objects are skipped). */
export const operator = callerOf({
  platform: 'console',
  sender: { id: 'bench', name: 'bench', isAdmin: true },
  channel: 'console',
  text: '',
  mentions: [],
  adminChannel: true,
});

/**
 * Someone on a chat platform (an admin only when `admin`): each is a person of their own, so
 * their sends take their own share of the send slots and sandbox workers.
 */
export function person(platform: 'discord' | 'slack', id: string, admin = false): Caller {
  return callerOf({
    platform,
    sender: { id, name: id, isAdmin: admin },
    channel: `dm-${id}`,
    text: '',
    mentions: [],
    adminChannel: false,
  });
}

/** Sends `line` (a send, not a command) to `uvm` as the operator, or as `caller`. */
export function sendLine(uvm: Uvm, line: string, caller: Caller = operator): Promise<SendOutcome> {
  return uvm.send({
    ...(parseLine(line) as Extract<ParsedLine, { kind: 'send' }>),
    caller,
  });
}
