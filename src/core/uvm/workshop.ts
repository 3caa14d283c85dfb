/**
 * A person's workshop: where the methods the model writes for them on objects they do not
 * own are kept. Such a method is theirs, not the object owner's: it never fills the owner's
 * object (nor genesis, for everyone), it counts against the requester's own quotas (the
 * workshop is an object they own, private to them), and it answers only their sends. The
 * workshops are found by the system through the root's hidden `workshops*` slot, in 256
 * buckets by the hash of the person, never by a name anyone could claim.
 */
import type { Principal } from '../model/principal.ts';
import type { Transaction } from '../image/index.ts';
import type { Found } from '../model/lookup.ts';
import type { Oid, Slot } from '../model/value.ts';
import { ensurePersonalObject, personalObject } from './system-objects.ts';

/** The root's hidden slot that holds every workshop. */
export const WORKSHOPS_SLOT = 'workshops*';

/** The workshop slot of a method for `selector` on `oid`: not a name any message can write. */
function slotFor(oid: Oid, selector: string): string {
  return `#${oid} ${selector}`;
}

/** `person`'s workshop, if they have one (an object they own, found through the system's buckets). */
export function workshopOf(tx: Transaction, person: Principal): Oid | undefined {
  return personalObject(tx, WORKSHOPS_SLOT, person);
}

/** The method kept for `person` for `selector` on `oid`, if any. */
export function workshopMethod(
  tx: Transaction,
  person: Principal,
  oid: Oid,
  selector: string,
): Found | undefined {
  const workshop = workshopOf(tx, person);
  const slot = workshop === undefined ? undefined : tx.getSlot(workshop, slotFor(oid, selector));
  return workshop !== undefined && slot?.kind === 'method' ? { holder: workshop, slot } : undefined;
}

/** Keeps `method` for `person` for `selector` on `oid`, making their workshop when missing. */
export function keepInWorkshop(
  tx: Transaction,
  person: Principal,
  oid: Oid,
  selector: string,
  method: Slot,
): Found {
  const workshop = ensurePersonalObject(tx, WORKSHOPS_SLOT, person);
  tx.setSlot(workshop, slotFor(oid, selector), method);
  return { holder: workshop, slot: method };
}
