/** `help`'s lines about the place it is asked in: who answers there, and when. */
import type { Place } from '../protocol.ts';
import type { Room } from '../uvm/rooms.ts';
import { POLICY_WORDS } from './room-commands.ts';

/** Where a binding was made, relative to where `help` was asked (`places[0]`). */
function whence(place: Place, places: readonly Place[]): string {
  return place === places[0] ? `this ${place.kind}` : `its ${place.kind}`;
}

/**
 * The HERE section of `help` for a message said in `places` (nearest first) within `room`;
 * undefined in a DM or the console, where nothing can be bound.
 */
export function roomHelp(places: readonly Place[], room: Room): string | undefined {
  if (places.length === 0) return undefined;
  const persona =
    room.persona === undefined
      ? 'the router picks a persona for what names none'
      : `${room.persona.name} answers what names no persona (bound to ${whence(room.persona.place, places)})`;
  const policy =
    room.policy === undefined
      ? 'reply policy: the default — I answer mentions and the threads I am in'
      : `reply policy: ${room.policy.policy} — ${POLICY_WORDS[room.policy.policy]} (set for ${whence(room.policy.place, places)})`;
  return `HERE  ${persona};\n  ${policy}.`;
}
