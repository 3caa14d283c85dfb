/**
 * Rooms: a persona and a reply policy bound to a place (a thread, a channel, a Discord
 * category) by its admins, kept in the image as BAT OS's own state. The root's hidden slot
 * `rooms*` (never a claimable name, see `system-objects.ts`) holds them in 256 buckets by
 * the hash of the place, one slot per place, so no object's slot limit stops new places.
 *
 * A message's room is what its places hold, nearest first, field by field: a thread
 * inherits its channel's persona unless it has its own, and its policy likewise. Without a
 * policy anywhere, the bot answers as it always has: mentions, DMs, the threads it is in
 * and the listen channels (the default).
 */
import { createHash } from 'node:crypto';
import type { Transaction } from '../image/index.ts';
import type { Value } from '../model/value.ts';
import type { Place, Platform, Reach } from '../protocol.ts';
import {
  ensureSystemChild,
  ensureSystemObject,
  systemChild,
  systemObject,
} from './system-objects.ts';

/** The root's hidden slot that holds every binding. */
export const ROOMS_SLOT = 'rooms*';

/**
 * When the bot answers in a place: `mentions` only when mentioned; `threads` also in the
 * threads it is in; `ambient` everything said there.
 */
export const REPLY_POLICIES = ['mentions', 'threads', 'ambient'] as const;
export type ReplyPolicy = (typeof REPLY_POLICIES)[number];

/** One place's own binding, as stored. */
export interface Binding {
  readonly persona?: string;
  readonly policy?: ReplyPolicy;
  /** Who set it last (a principal), and when (ISO time). */
  readonly by: string;
  readonly at: string;
}

/** What holds where a message was said: each field from the nearest place that sets it. */
export interface Room {
  readonly persona?: { readonly name: string; readonly place: Place };
  readonly policy?: { readonly policy: ReplyPolicy; readonly place: Place };
}

/** The bucket and the slot of a place. */
function slotOf(platform: Platform, place: Place): { bucket: string; slot: string } {
  const hash = createHash('sha256').update(`${platform}\n${place.kind}\n${place.id}`).digest('hex');
  return { bucket: `b_${hash.slice(0, 2)}`, slot: `r_${hash.slice(0, 32)}` };
}

/** The binding of `place` itself, if one is kept. */
export function bindingAt(tx: Transaction, platform: Platform, place: Place): Binding | undefined {
  const { bucket, slot } = slotOf(platform, place);
  const holder = systemChild(tx, systemObject(tx, ROOMS_SLOT), bucket);
  const stored = holder === undefined ? undefined : tx.getSlot(holder, slot);
  if (stored?.kind !== 'value') return undefined;
  const value = stored.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { persona, policy, by, at } = value as Record<string, Value>;
  if (typeof by !== 'string' || typeof at !== 'string') return undefined;
  return {
    ...(typeof persona === 'string' ? { persona } : {}),
    ...(REPLY_POLICIES.includes(policy as ReplyPolicy) ? { policy: policy as ReplyPolicy } : {}),
    by,
    at,
  };
}

/** The room of a message said in `places` (nearest first). */
export function readRoom(tx: Transaction, platform: Platform, places: readonly Place[]): Room {
  if (places.length === 0 || systemObject(tx, ROOMS_SLOT) === undefined) return {};
  let room: Room = {};
  for (const place of places) {
    const binding = bindingAt(tx, platform, place);
    if (room.persona === undefined && binding?.persona !== undefined)
      room = { ...room, persona: { name: binding.persona, place } };
    if (room.policy === undefined && binding?.policy !== undefined)
      room = { ...room, policy: { policy: binding.policy, place } };
  }
  return room;
}

/** Keeps `binding` for `place`, or forgets the place's binding when undefined. */
export function writeBinding(
  tx: Transaction,
  platform: Platform,
  place: Place,
  binding: Binding | undefined,
): void {
  const { bucket, slot } = slotOf(platform, place);
  const holder = ensureSystemChild(tx, ensureSystemObject(tx, ROOMS_SLOT), bucket);
  if (binding === undefined) {
    tx.removeSlot(holder, slot);
    return;
  }
  // The place is kept beside the binding, so that whoever reads the object can tell.
  const value = { platform, place: place.kind, id: place.id, ...binding } satisfies Value;
  tx.setSlot(holder, slot, { kind: 'value', value });
}

/** Whether a message that reached the bot as `reach` is answered in `room`. */
export function answers(room: Room, reach: Reach = 'direct'): boolean {
  if (reach === 'direct') return true;
  switch (room.policy?.policy) {
    case undefined:
      return reach !== 'overheard';
    case 'mentions':
      return reach === 'mention';
    case 'threads':
      return reach === 'mention' || reach === 'thread';
    case 'ambient':
      return true;
  }
}
