/**
 * What an audit of the image found, as ALFRED's audit (src/personas/audit.ts) keeps it on
 * the persona that ran it: the shape the image browser's audits page reads back from history.
 */

/** The slot that holds the last audit's machine-readable summary. */
export const LAST_AUDIT_SLOT = 'lastAudit';
/** The slot that holds when the last audit ran (ISO 8601). */
export const LAST_AUDIT_AT_SLOT = 'lastAuditAt';

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
