/**
 * The object graph's part of the audit: references to objects that do not exist, and
 * objects the root cannot reach (what `collect` would delete).
 */
import { ROOT } from '../core/model/primordial.ts';
import { type Oid, referencedOids, type SlotMap } from '../core/model/value.ts';
import type { AuditFinding } from './audit-report.ts';

/** Every value slot that refers to an oid with no object behind it. */
export function danglingReferences(objects: ReadonlyMap<Oid, SlotMap>): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const [oid, slots] of objects)
    for (const [slot, content] of slots) {
      if (content.kind !== 'value') continue;
      const missing = [...referencedOids(content.value)].filter((r) => !objects.has(r));
      if (missing.length > 0)
        findings.push({
          kind: 'dangling-reference',
          oid,
          slot,
          message: `refers to ${missing.map((m) => `#${m}`).join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist`,
        });
    }
  return findings;
}

/**
 * Objects not reachable from the root through value references, in oid order. The same
 * walk as `Image.collect`, done here in memory so the audit reports without deleting.
 */
export function unreachableObjects(objects: ReadonlyMap<Oid, SlotMap>): AuditFinding[] {
  const reached = new Set<Oid>();
  const pending: Oid[] = objects.has(ROOT) ? [ROOT] : [];
  reached.add(ROOT);
  for (let oid = pending.pop(); oid !== undefined; oid = pending.pop()) {
    for (const slot of objects.get(oid)?.values() ?? []) {
      if (slot.kind !== 'value') continue;
      for (const next of referencedOids(slot.value))
        if (!reached.has(next)) {
          reached.add(next);
          pending.push(next);
        }
    }
  }
  return [...objects.keys()]
    .filter((oid) => !reached.has(oid))
    .sort((a, b) => a - b)
    .map((oid) => ({
      kind: 'unreachable',
      oid,
      message: 'is not reachable from the root; `collect` (admins) would remove it',
    }));
}
