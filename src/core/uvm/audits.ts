/**
 * ALFRED's audits as each reader may see them. The audits are kept in the system's private
 * audit record (the root's hidden `audits*`), never on ALFRED, since a finding names objects
 * and methods not everyone may read: chat's report and the image browser's audits page both
 * read it through {@link summaryFor}, which withholds (only counts) each finding on an object
 * the reader may not read. The page lists each summary the record's `lastAudit` slot held,
 * as history recorded it (newest first), every finding linked to its object and method.
 */
import type { Authority } from '../access/authority.ts';
import { mayRead } from '../access/rights.ts';
import type { HistoryChange, HistoryEntry, Transaction } from '../image/index.ts';
import {
  AUDITS_SLOT,
  LAST_AUDIT_SLOT,
  LEGACY_LAST_AUDIT_AT_SLOT,
  type AuditFinding,
  type AuditSummary,
} from '../model/audit-summary.ts';
import { labelOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import { SYSTEM } from '../model/principal.ts';
import type { Oid, Slot, Value } from '../model/value.ts';
import type { ObjectLink } from './inspection.ts';
import { systemObject } from './system-objects.ts';

/** How many of the audit record's transactions are searched for its audits. */
export const AUDITS_SEARCHED = 200;
/** The most audits shown, newest first. */
export const AUDITS_SHOWN = 20;

/** One finding as the page shows it. */
export interface AuditFindingView {
  readonly kind: AuditFinding['kind'];
  readonly message: string;
  readonly slot?: string;
  /** The object it is on, when there is one the viewer may open. */
  readonly object?: ObjectLink;
  /** The oid of the object it was on, deleted since (shown to admins only). */
  readonly gone?: Oid;
  /** Whether `slot` holds a method on that object now (the link then goes to it). */
  readonly method: boolean;
}

/** One audit as the page shows it. */
export interface AuditView {
  /** The transaction that kept it; absent when history no longer has it (the current one). */
  readonly tx?: number;
  /** Who asked for it (BAT OS's heartbeat is `system:…`). */
  readonly by?: string;
  readonly at: string;
  readonly objects: number;
  readonly methods: number;
  readonly integrity: string;
  readonly collected?: number;
  readonly omitted?: number;
  readonly findings: readonly AuditFindingView[];
  /** Findings on objects the viewer may not read (or that are gone): counted, not shown. */
  readonly withheld: number;
}

/** The audits as the page shows them, and the record they come from (none before the first). */
export interface AuditsView {
  /** The audit record's oid, for the page to follow its changes (never shown to the viewer). */
  readonly record?: Oid;
  readonly audits: readonly AuditView[];
}

/** `summary` as one reader may see it: the findings they may not see left out, and counted. */
export interface SummaryForReader {
  readonly summary: AuditSummary;
  /** Findings on objects the reader may not read (or that are gone): counted, not shown. */
  readonly withheld: number;
}

/** The system's audit record, if an audit was ever kept. */
export function auditRecord(tx: Transaction): Oid | undefined {
  return systemObject(tx, AUDITS_SLOT);
}

/**
 * Whether `change` kept an audit's summary or time on a system object everyone may read:
 * an image from before the audit record kept them on ALFRED (`lastAudit`, `lastAuditAt`),
 * and its history still holds those values, which only an admin may see.
 */
export function keptAuditOnSystemObject(tx: Transaction, change: HistoryChange): boolean {
  return (
    (change.slot === LAST_AUDIT_SLOT || change.slot === LEGACY_LAST_AUDIT_AT_SLOT) &&
    tx.exists(change.oid) &&
    accessOf(tx.slots(change.oid)).owner === SYSTEM
  );
}

/** The last audit's summary, as the record keeps it (unfiltered: pass it through {@link summaryFor}). */
export function lastAudit(tx: Transaction): AuditSummary | undefined {
  const record = auditRecord(tx);
  return record === undefined ? undefined : summaryIn(tx.getSlot(record, LAST_AUDIT_SLOT));
}

/**
 * `summary` as `authority` may see it, read in `tx`: a finding on an object they may not
 * read is withheld (an admin sees all; a finding on no object stays).
 */
export function summaryFor(
  tx: Transaction,
  authority: Authority,
  summary: AuditSummary,
): SummaryForReader {
  const findings = summary.findings.filter((finding) => maySee(tx, authority, finding));
  return {
    summary: { ...summary, findings },
    withheld: summary.findings.length - findings.length,
  };
}

/**
 * The audits kept in the audit record (newest first, at most {@link AUDITS_SHOWN}), read in
 * `tx` for `authority`, from `entries`: the record's history, newest first.
 */
export function auditViews(
  tx: Transaction,
  authority: Authority,
  entries: readonly HistoryEntry[],
): AuditsView {
  const record = auditRecord(tx);
  if (record === undefined) return { audits: [] };
  const kept: { summary: AuditSummary; tx?: number; by?: string }[] = [];
  for (const entry of entries)
    for (const change of entry.changes) {
      const summary =
        change.oid === record && change.slot === LAST_AUDIT_SLOT
          ? summaryIn(change.after)
          : undefined;
      if (summary !== undefined) kept.push({ summary, tx: entry.tx, by: entry.who });
    }
  // History forgotten (retention, `collect` with days) still leaves the slot's own value.
  const current = summaryIn(tx.getSlot(record, LAST_AUDIT_SLOT));
  if (current !== undefined && kept[0]?.summary.at !== current.at)
    kept.unshift({ summary: current });
  const audits = kept.slice(0, AUDITS_SHOWN).map(({ summary: stored, ...where }) => {
    const { summary, withheld } = summaryFor(tx, authority, stored);
    return {
      ...where,
      at: summary.at,
      objects: summary.objects,
      methods: summary.methods,
      integrity: summary.integrity,
      ...(summary.collected === undefined ? {} : { collected: summary.collected }),
      ...(summary.omitted === undefined ? {} : { omitted: summary.omitted }),
      findings: summary.findings.map((finding) => findingView(tx, finding)),
      withheld,
    };
  });
  return { record, audits };
}

/**
 * Whether `authority` may see `finding`: it names no object, or one they may read; a gone
 * object's access cannot be read, so only admins see what was found on it.
 */
function maySee(tx: Transaction, authority: Authority, finding: AuditFinding): boolean {
  if (finding.oid === undefined || authority.admin) return true;
  return tx.exists(finding.oid) && mayRead(authority, accessOf(tx.slots(finding.oid)));
}

/** A finding the reader may see, as the page shows it. */
function findingView(tx: Transaction, finding: AuditFinding): AuditFindingView {
  const slot = finding.slot === undefined ? {} : { slot: finding.slot };
  if (finding.oid === undefined)
    return { kind: finding.kind, message: finding.message, ...slot, method: false };
  const oid = finding.oid;
  const exists = tx.exists(oid);
  return {
    kind: finding.kind,
    message: finding.message,
    ...slot,
    ...(exists ? { object: { oid, label: labelOf(tx, oid) } } : { gone: oid }),
    method:
      exists && finding.slot !== undefined && tx.getSlot(oid, finding.slot)?.kind === 'method',
  };
}

/**
 * The audit summary a slot holds, or undefined when it holds none: the slot is checked field
 * by field, since an older image kept it on ALFRED, where an admin could put anything.
 */
export function summaryIn(slot: Slot | undefined): AuditSummary | undefined {
  if (slot?.kind !== 'value' || !isRecord(slot.value)) return undefined;
  const { at, objects, methods, findings, integrity, collected, omitted } = slot.value;
  if (
    typeof at !== 'string' ||
    typeof objects !== 'number' ||
    typeof methods !== 'number' ||
    typeof integrity !== 'string' ||
    !Array.isArray(findings)
  )
    return undefined;
  return {
    at,
    objects,
    methods,
    integrity,
    findings: findings.filter(isFinding),
    ...(typeof collected === 'number' ? { collected } : {}),
    ...(typeof omitted === 'number' ? { omitted } : {}),
  };
}

function isRecord(value: Value | undefined): value is { readonly [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFinding(value: Value): value is AuditFinding & Value {
  if (!isRecord(value)) return false;
  const { kind, oid, slot, message } = value;
  return (
    typeof kind === 'string' &&
    typeof message === 'string' &&
    (oid === undefined || Number.isSafeInteger(oid)) &&
    (slot === undefined || typeof slot === 'string')
  );
}
