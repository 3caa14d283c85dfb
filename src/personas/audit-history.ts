/**
 * The history's part of the audit. Every commit writes its slots and their change records
 * in one SQLite transaction, so for each slot the newest recorded change must agree with
 * the slot's current value; a disagreement means a write bypassed the image or a change
 * record was lost. Undo links must also agree both ways.
 *
 * The check is bounded to the newest transactions (the window) to stay cheap; it is sound
 * within it, because the newest change to a slot inside the window is the newest of all.
 * Objects that no longer exist are skipped: `collect` deletes without history.
 */
import type { Oid, Slot, SlotMap } from '../core/model/value.ts';
import type { HistoryEntry } from '../core/image/index.ts';
import type { AuditFinding } from './audit-report.ts';

/** Findings for `entries` (newest first) against the objects as they are now. */
export function historyFindings(
  entries: readonly HistoryEntry[],
  objects: ReadonlyMap<Oid, SlotMap>,
): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const checked = new Set<string>();
  for (const entry of entries)
    for (const change of entry.changes) {
      if (change.slot === null) continue;
      const key = `${change.oid}\u0000${change.slot}`;
      if (checked.has(key)) continue;
      checked.add(key);
      const slots = objects.get(change.oid);
      if (slots === undefined) continue;
      if (!sameContent(slots.get(change.slot), change.after))
        findings.push({
          kind: 'history',
          oid: change.oid,
          slot: change.slot,
          message: `differs from what transaction ${entry.tx}, its last recorded change, wrote`,
        });
    }
  const byTx = new Map(entries.map((e) => [e.tx, e]));
  for (const entry of entries) {
    const undone = entry.undoOf === null ? undefined : byTx.get(entry.undoOf);
    if (undone !== undefined && undone.undoneBy !== entry.tx)
      findings.push({
        kind: 'history',
        message: `transaction ${entry.tx} undid ${undone.tx}, but ${undone.tx} is not marked as undone by it`,
      });
    const undoer = entry.undoneBy === null ? undefined : byTx.get(entry.undoneBy);
    if (undoer !== undefined && undoer.undoOf !== entry.tx)
      findings.push({
        kind: 'history',
        message: `transaction ${entry.tx} is marked as undone by ${undoer.tx}, which undid something else`,
      });
  }
  return findings;
}

/** Whether two slots hold the same thing, whatever order their record's keys were built in. */
function sameContent(a: Slot | undefined, b: Slot | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return content(a) === content(b);
}

function content(slot: Slot): string {
  switch (slot.kind) {
    case 'value':
      return `v${JSON.stringify(slot.value)}`;
    case 'method':
      return `m${slot.source}`;
    case 'primitive':
      return `p${slot.name}`;
  }
}
