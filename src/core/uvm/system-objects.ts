/**
 * BAT OS's own bookkeeping objects (the conversation threads, a person's workshop of methods)
 * are found by the system through the root's hidden slots — names ending in `*`, which no
 * message can write, name or list — never through a root name a member could claim. Each is
 * verified on read: only an object the system owns and keeps private counts, so a slot
 * pointed elsewhere (by an old image, or by an admin's mistake) is ignored, not trusted.
 */
import { createHash } from 'node:crypto';
import { principalKey } from '../access/principal.ts';
import { ACCESS_SLOT, accessOf, OWNER_SLOT, PRIVATE_FLAGS } from '../model/object-access.ts';
import { SYSTEM, type Principal } from '../model/principal.ts';
import type { Transaction } from '../image/index.ts';
import { ROOT, TRAITS } from '../model/primordial.ts';
import { isRef, PARENT_SLOT, ref, type Oid, type Slot } from '../model/value.ts';

/** The slots of a new system-private object: it delegates to traits, and nobody else may read it. */
export function privateSystemSlots(): Array<[string, Slot]> {
  return [
    [PARENT_SLOT, { kind: 'value', value: ref(TRAITS) }],
    [ACCESS_SLOT, { kind: 'value', value: PRIVATE_FLAGS }],
  ];
}

/** Whether `oid` exists, belongs to the system and is private to it. */
export function isSystemPrivate(tx: Transaction, oid: Oid): boolean {
  if (!tx.exists(oid)) return false;
  const access = accessOf(tx.slots(oid));
  return access.owner === SYSTEM && !access.readable && !access.writable && !access.fertile;
}

/** The system object `holder`'s `slot` refers to, if it is still the system's own. */
export function systemChild(
  tx: Transaction,
  holder: Oid | undefined,
  slot: string,
): Oid | undefined {
  const found = holder === undefined ? undefined : tx.getSlot(holder, slot);
  if (found?.kind !== 'value' || !isRef(found.value)) return undefined;
  return isSystemPrivate(tx, found.value.$ref) ? found.value.$ref : undefined;
}

/** The system object in `holder`'s `slot`, created (system-owned, private) when missing. */
export function ensureSystemChild(tx: Transaction, holder: Oid, slot: string): Oid {
  const found = systemChild(tx, holder, slot);
  if (found !== undefined) return found;
  const oid = tx.create(privateSystemSlots());
  tx.setSlot(holder, slot, { kind: 'value', value: ref(oid) });
  return oid;
}

/** `person`'s bucket in a holder of per-person objects: 256 of them, by the person's hash. */
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

/**
 * `person`'s own object of the kind the root's hidden `slot` holds (their workshop, their
 * notebook), if they have one: found through the system's buckets, and trusted only while
 * they still own it.
 */
export function personalObject(tx: Transaction, slot: string, person: Principal): Oid | undefined {
  const bucket = refIn(tx, systemObject(tx, slot), bucketSlot(person), (oid) =>
    isSystemPrivate(tx, oid),
  );
  return refIn(tx, bucket, principalKey(person), (oid) => accessOf(tx.slots(oid)).owner === person);
}

/**
 * {@link personalObject}, made when missing: an object `person` owns, private to them (and
 * admins), delegating to traits.
 */
export function ensurePersonalObject(tx: Transaction, slot: string, person: Principal): Oid {
  const found = personalObject(tx, slot, person);
  if (found !== undefined) return found;
  const holder = ensureSystemObject(tx, slot);
  let bucket = refIn(tx, holder, bucketSlot(person), (o) => isSystemPrivate(tx, o));
  if (bucket === undefined) {
    bucket = tx.create(privateSystemSlots());
    tx.setSlot(holder, bucketSlot(person), { kind: 'value', value: ref(bucket) });
  }
  const own = tx.create([
    [PARENT_SLOT, { kind: 'value', value: ref(TRAITS) }],
    [OWNER_SLOT, { kind: 'value', value: person }],
    [ACCESS_SLOT, { kind: 'value', value: PRIVATE_FLAGS }],
  ]);
  tx.setSlot(bucket, principalKey(person), { kind: 'value', value: ref(own) });
  return own;
}

/** The system object the root's hidden `slot` holds, if it is still the system's own. */
export function systemObject(tx: Transaction, slot: string): Oid | undefined {
  return systemChild(tx, ROOT, slot);
}

/** The system object in the root's hidden `slot`, created (system-owned, private) when missing. */
export function ensureSystemObject(tx: Transaction, slot: string): Oid {
  return ensureSystemChild(tx, ROOT, slot);
}
