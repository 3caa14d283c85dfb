/**
 * A person's workshop: where the methods the model writes for them on objects they do not
 * own are kept. Such a method is theirs, not the object owner's: it never fills the owner's
 * object (nor genesis, for everyone), it counts against the requester's own quotas (the
 * workshop is an object they own, private to them), and it answers only their sends. The
 * workshops are found by the system through the root's hidden `workshops*` slot, in 256
 * buckets by the hash of the person, never by a name anyone could claim.
 */
import { createHash } from 'node:crypto';
import { ACCESS_SLOT, accessOf, OWNER_SLOT, PRIVATE_FLAGS } from '../model/object-access.ts';
import { principalKey } from '../access/principal.ts';
import { type Principal } from '../model/principal.ts';
import type { Transaction } from '../image/index.ts';
import type { Found } from '../model/lookup.ts';
import { TRAITS } from '../model/primordial.ts';
import { isRef, PARENT_SLOT, ref, type Oid, type Slot } from '../model/value.ts';
import {
  ensureSystemObject,
  isSystemPrivate,
  privateSystemSlots,
  systemObject,
} from './system-objects.ts';

/** The root's hidden slot that holds every workshop. */
export const WORKSHOPS_SLOT = 'workshops*';

/** The workshop slot of a method for `selector` on `oid`: not a name any message can write. */
function slotFor(oid: Oid, selector: string): string {
  return `#${oid} ${selector}`;
}

function bucketSlot(person: Principal): string {
  return `b_${createHash('sha256').update(person).digest('hex').slice(0, 2)}`;
}

/** The object in `holder`'s `slot`, if `accept` trusts it. */
function refIn(
  tx: Transaction,
  holder: Oid | undefined,
  slot: string,
  accept: (oid: Oid) => boolean,
): Oid | undefined {
  const found = holder === undefined ? undefined : tx.getSlot(holder, slot);
  if (found?.kind !== 'value' || !isRef(found.value) || !tx.exists(found.value.$ref))
    return undefined;
  return accept(found.value.$ref) ? found.value.$ref : undefined;
}

/** `person`'s workshop, if they have one (an object they own, found through the system's buckets). */
export function workshopOf(tx: Transaction, person: Principal): Oid | undefined {
  const bucket = refIn(tx, systemObject(tx, WORKSHOPS_SLOT), bucketSlot(person), (oid) =>
    isSystemPrivate(tx, oid),
  );
  return refIn(tx, bucket, principalKey(person), (oid) => accessOf(tx.slots(oid)).owner === person);
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
  let workshop = workshopOf(tx, person);
  if (workshop === undefined) {
    const holder = ensureSystemObject(tx, WORKSHOPS_SLOT);
    let bucket = refIn(tx, holder, bucketSlot(person), (o) => isSystemPrivate(tx, o));
    if (bucket === undefined) {
      bucket = tx.create(privateSystemSlots());
      tx.setSlot(holder, bucketSlot(person), { kind: 'value', value: ref(bucket) });
    }
    workshop = tx.create([
      [PARENT_SLOT, { kind: 'value', value: ref(TRAITS) }],
      [OWNER_SLOT, { kind: 'value', value: person }],
      [ACCESS_SLOT, { kind: 'value', value: PRIVATE_FLAGS }],
    ]);
    tx.setSlot(bucket, principalKey(person), { kind: 'value', value: ref(workshop) });
  }
  tx.setSlot(workshop, slotFor(oid, selector), method);
  return { holder: workshop, slot: method };
}
