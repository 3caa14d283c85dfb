/**
 * The method index: one row for every method slot in the image — the object it is on, its
 * selector, its source, its doc line and its provenance — searched with the database's own
 * full-text search (SQLite FTS5, PostgreSQL `tsvector`; see migration 0006). The image works
 * out a commit's index rows here from the slot changes it commits, only for changes that
 * touch a method, and the store writes them in the same database transaction as the slots.
 *
 * Both databases index the same words, split here rather than by their own parsers (which
 * differ: PostgreSQL reads `self.send` as a host name): identifiers are cut at `_` and at
 * case changes, lower-cased and stripped of accents, so `display_yourself` and `fullName`
 * are found by `display` and `name`.
 */
import type { MethodProvenance, Oid, Slot } from '../model/value.ts';
import type { MethodsTable } from './schema.ts';
import type { SlotChange } from './transaction.ts';
import { codeTerms } from './text-search.ts';

/** A method as the index holds it. */
export interface IndexedMethod {
  readonly oid: Oid;
  /** The slot that holds it: its selector, or a workshop's `#oid selector`. */
  readonly slot: string;
  /** The selector it answers. */
  readonly selector: string;
  readonly source: string;
  /** The first line of its first comment; empty when it has none. */
  readonly doc: string;
  readonly provenance: MethodProvenance | undefined;
}

/** One index row as a store writes it: the method, and the words each part is searched by. */
export interface MethodIndexRow {
  readonly oid: Oid;
  readonly slot: string;
  readonly selector: string;
  readonly source: string;
  readonly doc: string;
  /** The provenance as JSON; null when the method has none. */
  readonly provenance: string | null;
  readonly nameTerms: string;
  readonly docTerms: string;
  readonly sourceTerms: string;
}

/** What one commit changes in the index: rows to write (insert or replace) and rows to drop. */
export interface MethodIndexChanges {
  readonly upsert: readonly MethodIndexRow[];
  readonly remove: ReadonlyArray<{ readonly oid: Oid; readonly slot: string }>;
}

/**
 * The selector a method slot answers: its name, or, for a slot a workshop keeps for another
 * object (`#12 greet`, see `uvm/workshop.ts`), the name after the space.
 */
export function selectorOfSlot(slot: string): string {
  return slot.slice(slot.lastIndexOf(' ') + 1);
}

/** A method's doc line: the first line of its first comment (`// …` or `/* … *\/`), trimmed. */
export function docLine(source: string): string {
  const comment = /\/\/(.*)|\/\*+([\s\S]*?)\*\//u.exec(source);
  if (comment === null) return '';
  const text = comment[1] ?? comment[2] ?? '';
  const line = text
    .split('\n')
    .map((l) => l.replace(/^\s*\*?\s*/u, '').trim())
    .find((l) => l !== '');
  return (line ?? '').slice(0, 200);
}

/** The index row of the method `slot` holds on `oid`. */
export function methodIndexRow(
  oid: Oid,
  slot: string,
  method: Extract<Slot, { kind: 'method' }>,
): MethodIndexRow {
  const selector = selectorOfSlot(slot);
  const doc = docLine(method.source);
  return {
    oid,
    slot,
    selector,
    source: method.source,
    doc,
    provenance: method.provenance === undefined ? null : JSON.stringify(method.provenance),
    nameTerms: codeTerms(selector).join(' '),
    docTerms: codeTerms(doc).join(' '),
    sourceTerms: codeTerms(method.source).join(' '),
  };
}

/** A row as the `methods` table names its columns. */
export function methodsRow(row: MethodIndexRow): MethodsTable {
  return {
    oid: row.oid,
    slot: row.slot,
    selector: row.selector,
    source: row.source,
    doc: row.doc,
    provenance: row.provenance,
    name_terms: row.nameTerms,
    doc_terms: row.docTerms,
    source_terms: row.sourceTerms,
  };
}

/**
 * The index changes a commit's slot changes make, or `undefined` when none touches a method
 * (an ordinary send: the store then does nothing more).
 */
export function methodIndexChanges(changes: readonly SlotChange[]): MethodIndexChanges | undefined {
  let upsert: MethodIndexRow[] | undefined;
  let remove: Array<{ oid: Oid; slot: string }> | undefined;
  for (const { oid, slot, before, after } of changes) {
    if (slot === null) continue;
    if (after?.kind === 'method') (upsert ??= []).push(methodIndexRow(oid, slot, after));
    else if (before?.kind === 'method') (remove ??= []).push({ oid, slot });
  }
  if (upsert === undefined && remove === undefined) return undefined;
  return { upsert: upsert ?? [], remove: remove ?? [] };
}

/**
 * Whether `source` sends `selector`: it calls `.send` with the selector written out as a
 * string (`self.send('greet', …)`, `ref.send("greet")`). A selector computed at run time is
 * not seen. The full-text search finds the candidates; this confirms each.
 */
export function sendsSelector(source: string, selector: string): boolean {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  return new RegExp(`\\.send\\(\\s*(['"\`])${escaped}\\1`, 'u').test(source);
}

/** Reads a stored row's provenance back. */
export function parseProvenance(text: string | null): MethodProvenance | undefined {
  return text === null ? undefined : (JSON.parse(text) as MethodProvenance);
}
