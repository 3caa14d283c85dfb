/**
 * ALFRED's audits as data, for the image browser's audits page: each summary the auditor's
 * `lastAudit` slot held, as history recorded it (newest first), with every finding linked
 * to its object and method. The caller must be allowed to read the auditor, as a send to it
 * would; a finding on an object the caller may not read is withheld (only counted), so the
 * page never names what the viewer could not open.
 */
import type { Authority } from '../access/authority.ts';
import { mayRead } from '../access/rights.ts';
import type { HistoryEntry, Transaction } from '../image/index.ts';
import { LAST_AUDIT_SLOT, type AuditFinding, type AuditSummary } from '../model/audit-summary.ts';
import { labelOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import type { Oid, Slot, Value } from '../model/value.ts';
import type { ObjectLink } from './inspection.ts';

/** How many of the auditor's transactions are searched for its audits. */
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

/**
 * The audits kept on `auditor` (newest first, at most {@link AUDITS_SHOWN}), read in `tx`
 * for `authority`, from `entries`: the auditor's history, newest first.
 */
export function auditViews(
  tx: Transaction,
  authority: Authority,
  auditor: Oid,
  entries: readonly HistoryEntry[],
): AuditView[] {
  const kept: { summary: AuditSummary; tx?: number; by?: string }[] = [];
  for (const entry of entries)
    for (const change of entry.changes) {
      const summary =
        change.oid === auditor && change.slot === LAST_AUDIT_SLOT
          ? summaryIn(change.after)
          : undefined;
      if (summary !== undefined) kept.push({ summary, tx: entry.tx, by: entry.who });
    }
  // History forgotten (retention, `collect` with days) still leaves the slot's own value.
  const current = summaryIn(tx.getSlot(auditor, LAST_AUDIT_SLOT));
  if (current !== undefined && kept[0]?.summary.at !== current.at)
    kept.unshift({ summary: current });
  return kept.slice(0, AUDITS_SHOWN).map(({ summary, ...where }) => {
    const shown = summary.findings.map((finding) => findingView(tx, authority, finding));
    const findings = shown.filter((view) => view !== undefined);
    return {
      ...where,
      at: summary.at,
      objects: summary.objects,
      methods: summary.methods,
      integrity: summary.integrity,
      ...(summary.collected === undefined ? {} : { collected: summary.collected }),
      ...(summary.omitted === undefined ? {} : { omitted: summary.omitted }),
      findings,
      withheld: shown.length - findings.length,
    };
  });
}

/** A finding as `authority` may see it; undefined when it is on an object they may not read. */
function findingView(
  tx: Transaction,
  authority: Authority,
  finding: AuditFinding,
): AuditFindingView | undefined {
  const slot = finding.slot === undefined ? {} : { slot: finding.slot };
  if (finding.oid === undefined)
    return { kind: finding.kind, message: finding.message, ...slot, method: false };
  const oid = finding.oid;
  const exists = tx.exists(oid);
  // A gone object's access cannot be read: only admins see what was found on it.
  if (!(exists ? mayRead(authority, accessOf(tx.slots(oid))) : authority.admin)) return undefined;
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
 * by field, since anyone who may write the auditor could put anything there.
 */
function summaryIn(slot: Slot | undefined): AuditSummary | undefined {
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
