/** History as people read it. */
import type { HistoryChange, HistoryEntry } from '../image/index.ts';
import { objectLabel, quoteValue } from '../model/render.ts';
import type { Oid, Slot } from '../model/value.ts';

type NameOf = (oid: Oid) => string | null;

/** A change as one reader may see it: `valuesWithheld` when its values are an admin's to see. */
export type ShownChange = HistoryChange & { readonly valuesWithheld?: boolean };

/**
 * A transaction as one reader may see it: `hidden` when it is another's private one;
 * `withheld` counts the changes to objects they may not read, left out of `changes`.
 */
export type ShownEntry = Omit<HistoryEntry, 'changes'> & {
  readonly changes: readonly ShownChange[];
  readonly hidden?: boolean;
  readonly withheld?: number;
};

/** Transactions, newest first; with `only`, each shows just that object's changes. */
export function historyText(entries: readonly ShownEntry[], nameOf: NameOf, only?: Oid): string {
  return entries.map((entry) => entryText(entry, nameOf, only)).join('\n');
}

function entryText(entry: ShownEntry, nameOf: NameOf, only: Oid | undefined): string {
  const when = entry.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  if (entry.hidden)
    return `tx ${entry.tx} · ${when} · ${entry.who} · (private: only its participants and admins see what it changed)`;
  const notes = [
    entry.undoOf !== null ? `undid tx ${entry.undoOf}` : '',
    entry.undoneBy !== null ? `undone by tx ${entry.undoneBy}` : '',
    entry.ranAs !== null && entry.ranAs !== entry.who ? `ran as ${entry.ranAs}` : '',
  ].filter(Boolean);
  const head = `tx ${entry.tx} · ${when} · ${entry.who}${entry.message ? ` · ${JSON.stringify(entry.message)}` : ''}${notes.length ? ` (${notes.join(', ')})` : ''}`;
  const shown = only === undefined ? entry.changes : entry.changes.filter((c) => c.oid === only);
  const others = entry.changes.length - shown.length;
  return [
    head,
    ...shown.map((c) => `    ${changeText(c, nameOf)}`),
    ...(others > 0
      ? [`    … and ${others} change${others === 1 ? '' : 's'} to other objects`]
      : []),
    ...(entry.withheld
      ? [
          `    … and ${entry.withheld} change${entry.withheld === 1 ? '' : 's'} to objects you may not read`,
        ]
      : []),
  ].join('\n');
}

function changeText(change: ShownChange, nameOf: NameOf): string {
  const label = objectLabel(change.oid, nameOf(change.oid));
  if (change.slot === null) return `${label} created`;
  const text = (slot: Slot | undefined) =>
    change.valuesWithheld === true && slot?.kind === 'value'
      ? 'a value (withheld: only admins see it)'
      : slotText(slot, nameOf);
  return `${label} ${change.slot}: ${text(change.before)} → ${text(change.after)}`;
}

function slotText(slot: Slot | undefined, nameOf: NameOf): string {
  if (slot === undefined) return '(absent)';
  if (slot.kind === 'method') {
    const p = slot.provenance;
    const origin =
      p === undefined
        ? ''
        : p.author === 'model'
          ? `, written by ${p.model ?? 'the model'} for ${p.by}`
          : `, by ${p.by}`;
    return `method (${slot.source.length} chars${origin})`;
  }
  if (slot.kind === 'primitive') return `primitive ${slot.name}`;
  const text = quoteValue(slot.value, nameOf);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
