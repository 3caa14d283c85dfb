/**
 * What an audit of the image found, as ALFRED's audit (src/personas/audit.ts) keeps it in
 * the system's private audit record: the shape the image browser's audits page reads back
 * from that record's history. Findings name objects and methods not everyone may read, so
 * the record is the system's alone and every reader gets it filtered (see core/uvm/audits.ts).
 */

/** The root's hidden slot that holds the audit record (no message can name it). */
export const AUDITS_SLOT = 'audits*';
/** The record's slot that holds the last audit's machine-readable summary. */
export const LAST_AUDIT_SLOT = 'lastAudit';
/**
 * The slot an older image kept the last audit's time in, on ALFRED beside `lastAudit`:
 * removed when the audit moves to the record.
 */
export const LEGACY_LAST_AUDIT_AT_SLOT = 'lastAuditAt';

/** The kinds of problem an audit can find. */
export type AuditFindingKind =
  | 'lost-write'
  | 'forbidden'
  | 'parse'
  | 'size'
  | 'dangling-reference'
  | 'unreachable'
  | 'uncompilable'
  | 'integrity'
  | 'foreign-key'
  | 'history';

/** One problem the audit found, where it applies on one object (and slot). */
export interface AuditFinding {
  readonly kind: AuditFindingKind;
  readonly oid?: number;
  readonly slot?: string;
  readonly message: string;
}

/** What an audit found. */
export interface AuditSummary {
  /** When the audit ran, as an ISO 8601 timestamp. */
  readonly at: string;
  /** How many objects and methods were examined. */
  readonly objects: number;
  readonly methods: number;
  readonly findings: readonly AuditFinding[];
  /** `ok`, or what the database's own integrity check reported. */
  readonly integrity: 'ok' | string;
  /** How many unreachable objects garbage collection removed, if it ran. */
  readonly collected?: number;
  /** How many more findings there were than `findings` lists, if any. */
  readonly omitted?: number;
}
