/**
 * Keeping an audit's result in the image: in the system's private audit record (the root's
 * hidden `audits*`), which no message can name, since its findings name objects not everyone
 * may read. ALFRED holds only the `lastAudit` primitive, which answers it filtered for the
 * caller; an older image's summary on ALFRED himself moves into the record (history keeps
 * its old values, which `history` shows to admins only: `keptAuditOnSystemObject`).
 */
import type { Transaction } from '../core/image/index.ts';
import {
  AUDITS_SLOT,
  LAST_AUDIT_SLOT,
  LEGACY_LAST_AUDIT_AT_SLOT,
  type AuditSummary,
} from '../core/model/audit-summary.ts';
import type { Oid, Value } from '../core/model/value.ts';
import { lastAudit, summaryIn } from '../core/uvm/audits.ts';
import { ensureSystemObject } from '../core/uvm/system-objects.ts';

/** The primitive name of ALFRED's `lastAudit`: the last audit, filtered for whoever asks. */
export const LAST_AUDIT_PRIMITIVE = 'lastAudit';

/**
 * Stores `summary` as the audit record's `lastAudit`, in `tx` (written with the system's
 * authority: the record is the system's own, so a member's send elevates for it).
 */
export function recordAudit(tx: Transaction, summary: AuditSummary): void {
  // A summary is plain JSON (oids are numbers, never references), so it stores as is.
  const value = JSON.parse(JSON.stringify(summary)) as Value;
  tx.setSlot(ensureSystemObject(tx, AUDITS_SLOT), LAST_AUDIT_SLOT, { kind: 'value', value });
}

/**
 * Gives `auditor` (ALFRED) the `lastAudit` primitive, moving an older image's summary there
 * (`lastAudit`, `lastAuditAt`, readable by every member) into the audit record unless it
 * keeps one already. Run at every start; changes nothing once done.
 */
export function installAuditRecord(tx: Transaction, auditor: Oid): void {
  const held = tx.getSlot(auditor, LAST_AUDIT_SLOT);
  const legacy = summaryIn(held);
  if (legacy !== undefined && lastAudit(tx) === undefined) recordAudit(tx, legacy);
  if (tx.getSlot(auditor, LEGACY_LAST_AUDIT_AT_SLOT) !== undefined)
    tx.removeSlot(auditor, LEGACY_LAST_AUDIT_AT_SLOT);
  // A method an admin gave ALFRED under that name is theirs; anything else is the old summary.
  if (held?.kind !== 'method' && held?.kind !== 'primitive')
    tx.setSlot(auditor, LAST_AUDIT_SLOT, { kind: 'primitive', name: LAST_AUDIT_PRIMITIVE });
}
