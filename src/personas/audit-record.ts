/** Keeping an audit's result in the image, on the persona that ran it. */
import type { Transaction } from '../core/image/index.ts';
import type { Oid, Value } from '../core/model/value.ts';
import {
  LAST_AUDIT_AT_SLOT,
  LAST_AUDIT_SLOT,
  type AuditSummary,
} from '../core/model/audit-summary.ts';

export { LAST_AUDIT_AT_SLOT, LAST_AUDIT_SLOT };

/** Stores `summary` as `lastAudit` and its time as `lastAuditAt` on `oid`, in `tx`. */
export function recordAudit(tx: Transaction, oid: Oid, summary: AuditSummary): void {
  // A summary is plain JSON (oids are numbers, never references), so it stores as is.
  const value = JSON.parse(JSON.stringify(summary)) as Value;
  tx.setSlot(oid, LAST_AUDIT_SLOT, { kind: 'value', value });
  tx.setSlot(oid, LAST_AUDIT_AT_SLOT, { kind: 'value', value: summary.at });
}
