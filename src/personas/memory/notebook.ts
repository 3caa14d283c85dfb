/**
 * What BAT OS remembers about a person, kept as objects that person owns. Each memory is an
 * object of its own — owned by the person, private (no flags: only they and admins may read
 * it), holding one `memory*` slot (see {@link MEMORY_SLOT}, the slot the image's full-text
 * index reads) with the text and where it came from. The person's notebook, an object they
 * own, private too, lists their memories oldest first in its `memories*` slot; the notebooks
 * are found by the system through the root's hidden `notebooks*` slot (see
 * {@link personalObject}), never by a name anyone could claim.
 *
 * Keeping and forgetting change only the person's own objects, so the transaction is theirs
 * to undo; the notebook itself is made first, in a transaction of BAT OS's own.
 */
import { MEMORY_SLOT, type Transaction } from '../../core/image/index.ts';
import { InternalError } from '../../core/errors.ts';
import {
  ACCESS_SLOT,
  accessOf,
  OWNER_SLOT,
  PRIVATE_FLAGS,
} from '../../core/model/object-access.ts';
import type { Principal } from '../../core/model/principal.ts';
import { TRAITS } from '../../core/model/primordial.ts';
import { isRef, PARENT_SLOT, ref, type Oid, type Value } from '../../core/model/value.ts';
import { ensurePersonalObject, personalObject } from '../../core/uvm/system-objects.ts';

/** The root's hidden slot that holds every notebook. */
export const NOTEBOOKS_SLOT = 'notebooks*';
/** The notebook's slot listing its memories, oldest first. No message can name it. */
const ENTRIES_SLOT = 'memories*';

/** Where a memory came from, as its object keeps it beside the text. */
export interface MemorySource {
  /** The persona it was told to, or `BAT OS` when the message named none. */
  readonly persona: string;
  /** The conversation thread it was said in (its key, see `threads.ts`). */
  readonly thread: string;
  /** The message it came from, as it was written. */
  readonly message: string;
  /** `asked`: the person said "remember that …"; `noticed`: the model picked it out. */
  readonly how: 'asked' | 'noticed';
}

/** One memory as the notebook lists it. */
export interface Memory extends MemorySource {
  readonly oid: Oid;
  readonly text: string;
  /** When it was kept (ISO time). */
  readonly at: string;
}

/** `person`'s memories, oldest first; none when they have no notebook. */
export function readMemories(tx: Transaction, person: Principal): Memory[] {
  const notebook = personalObject(tx, NOTEBOOKS_SLOT, person);
  return notebook === undefined ? [] : entriesOf(tx, notebook);
}

/** Makes `person`'s notebook when they have none: BAT OS's own bookkeeping. */
export function ensureNotebook(tx: Transaction, person: Principal): void {
  ensurePersonalObject(tx, NOTEBOOKS_SLOT, person);
}

/**
 * Keeps `text` for `person` (whose notebook {@link ensureNotebook} made), then forgets the
 * oldest while more than `keep` are kept. Returns the new memory and those forgotten.
 */
export function keepMemory(
  tx: Transaction,
  person: Principal,
  text: string,
  source: MemorySource,
  keep: number,
): { kept: Memory; dropped: Memory[] } {
  const notebook = notebookOf(tx, person);
  const at = new Date().toISOString();
  const record = { text, at, ...source } satisfies Value;
  const oid = tx.create([
    [PARENT_SLOT, { kind: 'value', value: ref(TRAITS) }],
    [OWNER_SLOT, { kind: 'value', value: person }],
    [ACCESS_SLOT, { kind: 'value', value: PRIVATE_FLAGS }],
  ]);
  // A change of its own, not a first slot: undo takes it back (and with it the index's row).
  tx.setSlot(oid, MEMORY_SLOT, { kind: 'value', value: record });
  const all = [...entriesOf(tx, notebook), { oid, ...record }];
  const dropped = all.slice(0, Math.max(0, all.length - keep));
  forget(tx, notebook, all, dropped);
  return { kept: all[all.length - 1]!, dropped };
}

/** Forgets `which` of `person`'s memories: out of the notebook, their text removed. */
export function forgetMemories(tx: Transaction, person: Principal, which: readonly Memory[]): void {
  const notebook = notebookOf(tx, person);
  forget(tx, notebook, entriesOf(tx, notebook), which);
}

function forget(
  tx: Transaction,
  notebook: Oid,
  all: readonly Memory[],
  which: readonly Memory[],
): void {
  const gone = new Set(which.map((m) => m.oid));
  for (const oid of gone) tx.removeSlot(oid, MEMORY_SLOT);
  const value = all.filter((m) => !gone.has(m.oid)).map((m) => ref(m.oid));
  tx.setSlot(notebook, ENTRIES_SLOT, { kind: 'value', value });
}

function notebookOf(tx: Transaction, person: Principal): Oid {
  const notebook = personalObject(tx, NOTEBOOKS_SLOT, person);
  if (notebook === undefined) throw new InternalError(`${person} has no notebook yet`);
  return notebook;
}

/** The notebook's memories that are still the person's and still hold one, oldest first. */
function entriesOf(tx: Transaction, notebook: Oid): Memory[] {
  const list = tx.getSlot(notebook, ENTRIES_SLOT);
  if (list?.kind !== 'value' || !Array.isArray(list.value)) return [];
  const owner = accessOf(tx.slots(notebook)).owner;
  return list.value.flatMap((entry) => {
    if (!isRef(entry) || !tx.exists(entry.$ref)) return [];
    const slots = tx.slots(entry.$ref);
    const memory = slots?.get(MEMORY_SLOT);
    if (memory?.kind !== 'value' || accessOf(slots).owner !== owner) return [];
    const found = asMemory(entry.$ref, memory.value);
    return found === undefined ? [] : [found];
  });
}

function asMemory(oid: Oid, value: Value): Memory | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const m = value as Record<string, Value>;
  const text = (key: string) => (typeof m[key] === 'string' ? m[key] : '');
  if (typeof m.text !== 'string') return undefined;
  return {
    oid,
    text: m.text,
    at: text('at'),
    persona: text('persona'),
    thread: text('thread'),
    message: text('message'),
    how: m.how === 'noticed' ? 'noticed' : 'asked',
  };
}
