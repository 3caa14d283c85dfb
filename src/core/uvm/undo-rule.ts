/**
 * Who may undo a transaction: a person may revert only what was theirs to write. A send of
 * theirs can carry writes BAT OS made for them (a conversation turn's thread, a method's
 * workshop) or that a system method made; undoing those is an admin's act, so a person's
 * `undo` never reverts the system's bookkeeping (nor, through it, hands them a name the
 * system holds).
 */
import type { Authority } from '../access/authority.ts';
import { accessOf, OWNER_SLOT, isAccessSlot } from '../model/object-access.ts';
import { mayWrite } from '../access/rights.ts';
import type { HistoryEntry, Transaction } from '../image/index.ts';
import { ROOT } from '../model/primordial.ts';
import { isRef, type Slot } from '../model/value.ts';
import { labelOf } from '../model/name-table.ts';

/** The object a root name's slot refers to, if any. */
function named(slot: Slot | undefined): number | undefined {
  return slot?.kind === 'value' && isRef(slot.value) ? slot.value.$ref : undefined;
}

/** Why `authority` may not undo `entry`, as `tx` sees the image; undefined when it may. */
export function undoRefusal(
  tx: Transaction,
  authority: Authority,
  entry: HistoryEntry,
): string | undefined {
  // What the transaction created was made for its sender, with its first slots.
  const created = new Set(entry.changes.filter((c) => c.slot === null).map((c) => c.oid));
  for (const change of entry.changes) {
    if (change.slot === null || created.has(change.oid) || !tx.exists(change.oid)) continue;
    const mine = (oid: number) => tx.exists(oid) && mayWrite(authority, accessOf(tx.slots(oid)));
    let allowed: boolean;
    if (change.oid === ROOT && !change.slot.endsWith('*')) {
      // A name is the named object's owner's to give back, as `name` and `removeSlot` decide.
      const objects = [named(change.before), named(change.after)].filter(
        (oid): oid is number => oid !== undefined,
      );
      // (One `collect` removed is the undo's own refusal to give, with its reason.)
      allowed = objects.length > 0 && objects.every((oid) => !tx.exists(oid) || mine(oid));
    } else if (isAccessSlot(change.slot)) {
      const access = accessOf(tx.slots(change.oid));
      allowed = change.slot !== OWNER_SLOT && access.owner === authority.principal;
    } else allowed = mine(change.oid);
    if (!allowed)
      return `Transaction ${entry.tx} also changed ${labelOf(tx, change.oid)}, which BAT OS or someone else wrote for you there; only an admin may undo it. Nothing was changed.`;
  }
  return undefined;
}
