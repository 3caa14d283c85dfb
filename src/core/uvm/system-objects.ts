/**
 * BAT OS's own bookkeeping objects (the conversation threads, a person's workshop of methods)
 * are found by the system through the root's hidden slots — names ending in `*`, which no
 * message can write, name or list — never through a root name a member could claim. Each is
 * verified on read: only an object the system owns and keeps private counts, so a slot
 * pointed elsewhere (by an old image, or by an admin's mistake) is ignored, not trusted.
 */
import { ACCESS_SLOT, accessOf, PRIVATE_FLAGS } from '../model/object-access.ts';
import { SYSTEM } from '../model/principal.ts';
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

/** The system object the root's hidden `slot` holds, if it is still the system's own. */
export function systemObject(tx: Transaction, slot: string): Oid | undefined {
  return systemChild(tx, ROOT, slot);
}

/** The system object in the root's hidden `slot`, created (system-owned, private) when missing. */
export function ensureSystemObject(tx: Transaction, slot: string): Oid {
  return ensureSystemChild(tx, ROOT, slot);
}
