/** How the benches send: as the operator at the console, one parsed line at a time. */
import { callerOf } from '../src/core/bot/caller.ts';
import { parseLine, type ParsedLine } from '../src/core/uvm/parser.ts';
import type { SendOutcome, Uvm } from '../src/core/uvm/uvm.ts';

/** The operator at the console: every check runs (only quotas on owned objects are skipped). */
export const operator = callerOf({
  platform: 'console',
  sender: { id: 'bench', name: 'bench', isAdmin: true },
  channel: 'console',
  text: '',
  mentions: [],
  adminChannel: true,
});

/** Sends `line` (a send, not a command) to `uvm` as the operator. */
export function sendLine(uvm: Uvm, line: string): Promise<SendOutcome> {
  return uvm.send({
    ...(parseLine(line) as Extract<ParsedLine, { kind: 'send' }>),
    caller: operator,
  });
}
