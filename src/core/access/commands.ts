/**
 * Who may run which command. Decided here, once, from the caller context, for every front
 * end alike.
 */
import { SendError } from '../errors.ts';
import type { Caller } from './principal.ts';

/** The commands a message can name (see the parser's COMMANDS), and the admin's `audit collect`. */
export type Command =
  | 'history'
  | 'undo'
  | 'versions'
  | 'revert'
  | 'implementors'
  | 'senders'
  | 'collect'
  | 'backup'
  | 'upgrade'
  | 'browse'
  | 'audit-collect'
  | 'bind'
  | 'unbind'
  | 'reply';

/** Commands a place's own admins may run there, beside BAT OS's admins. */
const PLACE_ADMINS: ReadonlySet<Command> = new Set(['bind', 'unbind', 'reply']);

const PLACE_REFUSAL =
  "Only this channel's admins (Discord: Manage Channels or Manage Server; Slack: a workspace admin or owner, or the channel's creator) and BAT OS's admins may bind a persona or a reply policy here. Nothing was changed.";

const ADMIN_ONLY: Readonly<Record<Command, string | undefined>> = {
  history: undefined,
  undo: undefined,
  versions: undefined,
  // Who may put a version back is the write guard's to decide, as for any write.
  revert: undefined,
  // Everyone; each lists only the methods on objects its caller may read.
  implementors: undefined,
  senders: undefined,
  collect: 'Only admins may collect: it deletes what the root cannot reach, for everyone.',
  backup: 'Only admins may back the image up.',
  upgrade: 'Upgrades are for admins, asked in the admin channel. Nothing was requested.',
  // Who may end whose browser sessions is decided with the words (`browse logout <who>`).
  browse: undefined,
  'audit-collect': 'Only admins may collect. The audit alone: alfred auditPersistence',
  bind: PLACE_REFUSAL,
  unbind: PLACE_REFUSAL,
  reply: PLACE_REFUSAL,
};

/** Throws a `not-allowed` {@link SendError} saying why, unless `caller` may run `command`. */
export function assertCommand(caller: Caller, command: Command): void {
  const refusal = ADMIN_ONLY[command];
  if (refusal === undefined) return;
  if (PLACE_ADMINS.has(command) && caller.placeAdmin === true) return;
  if (!caller.admin || (command === 'upgrade' && !caller.adminChannel))
    throw new SendError('not-allowed', refusal);
}
