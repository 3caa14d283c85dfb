/**
 * A method's versions, as the image's history keeps them: every transaction that set the
 * method slot, oldest first, with its source, who made it and where it came from. `versions`
 * shows them; `revert` puts one back as a new version (undoable like any change).
 */
import type { HistoryEntry, Image } from '../image/index.ts';
import { EXAMPLE_PREFIX, exampleText } from '../mind/method-grammar.ts';
import type { MethodProvenance, Oid, Slot } from '../model/value.ts';

/** One version of a method: the slot a transaction set, and that transaction. */
export interface MethodVersion {
  readonly tx: number;
  readonly at: string;
  readonly who: string;
  /** Where the transaction was made (the thread or channel), when it was a person's. */
  readonly platform: string;
  readonly channel: string | null;
  readonly slot: Extract<Slot, { kind: 'method' }>;
}

/** How many of the transactions that set a method's slot are read for its versions. */
export const VERSIONS_SEARCHED = 2_000;

/** The versions of `selector` on `oid`: from the transactions that set a method in that slot. */
export async function readMethodVersions(
  image: Image,
  oid: Oid,
  selector: string,
): Promise<MethodVersion[]> {
  const entries = await image.history({ oid, methodSlots: [selector], limit: VERSIONS_SEARCHED });
  return methodVersions(entries, oid, selector);
}

/** The versions of `selector` on `oid` in `entries` (newest first, as history reads them). */
export function methodVersions(
  entries: readonly HistoryEntry[],
  oid: Oid,
  selector: string,
): MethodVersion[] {
  const versions: MethodVersion[] = [];
  for (const entry of [...entries].reverse()) {
    // An undone change is as if it never was, and its undo only brought back a version
    // already listed.
    if (entry.undoneBy !== null || entry.undoOf !== null) continue;
    for (const change of entry.changes)
      if (change.oid === oid && change.slot === selector && change.after?.kind === 'method')
        versions.push({
          tx: entry.tx,
          at: entry.at,
          who: entry.who,
          platform: entry.platform,
          channel: entry.channel,
          slot: change.after,
        });
  }
  return versions;
}

/** Where a method came from, in a few words: by hand, the model (a repair), or copied. */
export function versionOrigin(provenance: MethodProvenance | undefined): string {
  const copied =
    provenance?.copiedFrom === undefined ? '' : `, copied from #${provenance.copiedFrom.oid}`;
  if (provenance?.author !== 'model') return `by hand${copied}`;
  const what = [provenance.model, provenance.repair ? 'a repair' : undefined].filter(Boolean);
  return `the model${what.length === 0 ? '' : ` (${what.join(', ')})`}${copied}`;
}

/** `versions`' answer: each version, its transaction and origin, and its source. */
export function versionsText(
  label: string,
  selector: string,
  versions: readonly MethodVersion[],
  current: Slot | undefined,
): string {
  if (versions.length === 0)
    return `${label} has no recorded version of ${selector}${current === undefined ? '' : ' (it was set before history was kept, or its history was forgotten)'}.`;
  const lines = [
    `${label} ${selector}: ${versions.length} version${versions.length === 1 ? '' : 's'}, oldest first`,
  ];
  versions.forEach((version, i) => {
    const now =
      current?.kind === 'method' && current.source === version.slot.source ? ' (current)' : '';
    lines.push(
      `${i + 1}. tx ${version.tx} · ${version.at.slice(0, 16).replace('T', ' ')} · ${version.who} · ${versionOrigin(version.slot.provenance)}${now}`,
      ...version.slot.source.split('\n').map((line) => `     ${line}`),
      ...(version.slot.provenance?.examples ?? []).map(
        (example) => `     ${EXAMPLE_PREFIX}${exampleText(example)}`,
      ),
    );
  });
  lines.push(`\`revert ${label.split(' ').pop()} ${selector} N\` puts version N back.`);
  return lines.join('\n');
}
