/**
 * ALFRED's report of an audit of the image: what the audit found, in a butler's dry,
 * precise voice. The audit itself (reading the image, analysing method sources, the
 * database's integrity check, garbage collection) lives in the core; this is its wording.
 */
import type { FindingCode } from '../core/analysis/index.ts';
import type { AuditFinding, AuditFindingKind, AuditSummary } from '../core/model/audit-summary.ts';

export type { AuditFinding, AuditFindingKind, AuditSummary };

/** The audit kind of a method-analysis finding, for the audit to file it under. */
export function auditKindOf(code: FindingCode): AuditFindingKind {
  switch (code) {
    case 'lost-write':
    case 'forbidden':
    case 'parse':
    case 'size':
      return code;
    case 'self-api':
    case 'writes':
      return 'forbidden';
    case 'shape':
    case 'self-param':
      return 'parse';
  }
}

/** How each kind is named in the report, in the order the report lists them. */
const KIND_TITLES: ReadonlyArray<readonly [AuditFindingKind, string]> = [
  ['integrity', 'Database integrity'],
  ['foreign-key', 'Foreign keys'],
  ['lost-write', 'Lost writes'],
  ['forbidden', 'Forbidden forms in methods'],
  ['parse', 'Methods that do not parse'],
  ['uncompilable', 'Methods that do not compile'],
  ['size', 'Oversized methods'],
  ['dangling-reference', 'Dangling references'],
  ['unreachable', 'Unreachable objects'],
  ['history', 'History'],
];

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** `2026-11-26T14:02:09.123Z` → `14:02 UTC on 2026-11-26`; anything else verbatim. */
function when(at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  const iso = date.toISOString();
  return `${iso.slice(11, 16)} UTC on ${iso.slice(0, 10)}`;
}

function place(finding: AuditFinding): string {
  if (finding.oid === undefined)
    return finding.slot === undefined ? '' : `slot '${finding.slot}': `;
  return finding.slot === undefined ? `#${finding.oid}: ` : `#${finding.oid} '${finding.slot}': `;
}

/**
 * The audit report in ALFRED's voice: a short clean bill, or every finding listed plainly;
 * `withheld` findings (on objects the reader may not read) are only counted.
 */
export function renderAuditReport(summary: AuditSummary, withheld = 0): string {
  const examined = `Indeed, sir. I have examined ${count(summary.objects, 'object')} and ${count(summary.methods, 'method')} as of ${when(summary.at)}.`;
  const collected =
    summary.collected === undefined || summary.collected === 0
      ? []
      : [`I took the liberty of collecting ${count(summary.collected, 'unreachable object')}.`];
  const integrityFailed = summary.integrity !== 'ok';
  if (summary.findings.length === 0 && withheld === 0 && !integrityFailed) {
    return [
      examined,
      'The image is in good order: the integrity check passes, no write is lost, and nothing is out of place.',
      ...collected,
    ].join(' ');
  }
  const problems =
    summary.findings.length + withheld + (summary.omitted ?? 0) + (integrityFailed ? 1 : 0);
  const lines = [
    `${examined} I regret to report ${count(problems, 'matter')} requiring attention.`,
  ];
  for (const [kind, title] of KIND_TITLES) {
    const items = summary.findings.filter((f) => f.kind === kind).map((f) => place(f) + f.message);
    if (kind === 'integrity' && integrityFailed) {
      items.unshift(`The integrity check reports: ${summary.integrity}`);
    }
    if (items.length > 0) lines.push('', `${title}:`, ...items.map((item) => `- ${item}`));
  }
  if (withheld > 0)
    lines.push(
      '',
      `${count(withheld, 'finding')} on objects you may not read ${withheld === 1 ? 'is' : 'are'} withheld; their owners and BAT OS's admins see ${withheld === 1 ? 'it' : 'them'}.`,
    );
  if (summary.omitted)
    lines.push('', `${count(summary.omitted, 'further matter')} I have not listed, for brevity.`);
  lines.push(
    '',
    [
      ...collected,
      'Otherwise I have changed nothing; the remedies are yours to approve, sir.',
    ].join(' '),
  );
  return lines.join('\n');
}
