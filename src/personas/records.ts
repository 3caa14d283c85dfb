/**
 * Reading the persona objects out of the image. Everything the conversation needs of a
 * persona (its names, voice, adapter) is read from its slots on each message, so an edit
 * from chat (`alfred setSlot voice "…"`) takes effect at once and survives a restart.
 */
import type { Transaction } from '../core/image/index.ts';
import {
  isRef,
  type Oid,
  PARENT_SLOT,
  parentOids,
  type SlotMap,
  type Value,
} from '../core/model/value.ts';
import { accessOf } from '../core/model/object-access.ts';
import { SYSTEM } from '../core/model/principal.ts';
import { aliasProblemIn } from './alias-rule.ts';
import { ROOT } from '../core/model/primordial.ts';
import { namedObject } from '../core/model/name-table.ts';

/** The root-table name of the persona prototype, the parent of every persona. */
export const PERSONA_PROTOTYPE_NAME = 'persona';

/** A persona object as the conversation uses it. */
export interface PersonaRecord {
  readonly oid: Oid;
  /** The name it speaks under, e.g. `ROBIN`. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly role: string;
  readonly voice: string;
  /** Its adapter's file name inside the LoRA folder; empty for none. */
  readonly adapter: string;
  readonly scale: number;
}

/** The personas last read, and the object states they were read from. */
interface Read {
  readonly root: SlotMap | undefined;
  readonly sources: ReadonlyArray<readonly [Oid, SlotMap | undefined]>;
  readonly personas: readonly PersonaRecord[];
}

let last: Read | undefined;

/**
 * The personas: objects the system owns, named in the root table, whose parent is the
 * persona prototype and that have a valid text `name` slot, in root-table order. An admin
 * adds a fifth: `persona clone`, `#N chown system`, its `name` and `aliases`, then `root setSlot gordon #N`.
 *
 * Read once and kept while the root and the persona objects are the same committed states
 * (each commit replaces the state of what it wrote), so every message does not walk the
 * root table; the same list comes back, and addressing compiled for it stays valid.
 */
export function readPersonas(tx: Transaction): readonly PersonaRecord[] {
  const root = tx.slots(ROOT);
  if (
    last !== undefined &&
    last.root === root &&
    last.sources.every(([oid, slots]) => tx.slots(oid) === slots)
  )
    return last.personas;
  const prototype = namedObject(tx, PERSONA_PROTOTYPE_NAME);
  const sources: Array<readonly [Oid, SlotMap | undefined]> = [];
  const personas: PersonaRecord[] = [];
  if (prototype !== undefined) {
    sources.push([prototype, tx.slots(prototype)]);
    const seen = new Set<Oid>();
    for (const [slotName, slot] of root ?? []) {
      if (slotName.endsWith('*') || slot.kind !== 'value' || !isRef(slot.value)) continue;
      const oid = slot.value.$ref;
      if (seen.has(oid)) continue;
      seen.add(oid);
      const slots = tx.slots(oid);
      const parent = slots?.get(PARENT_SLOT);
      if (parent?.kind !== 'value' || !parentOids(parent.value).includes(prototype)) continue;
      // Every candidate is watched: a chown or a fixed alias can make one a persona.
      sources.push([oid, slots]);
      const record = personaAt(tx, oid, prototype);
      if (record !== undefined) personas.push(record);
    }
  }
  last = { root, sources, personas };
  return personas;
}

function personaAt(tx: Transaction, oid: Oid, prototype: Oid): PersonaRecord | undefined {
  const value = (slot: string): Value | undefined => {
    const found = tx.getSlot(oid, slot);
    return found?.kind === 'value' ? found.value : undefined;
  };
  if (!parentOids(value(PARENT_SLOT)).includes(prototype)) return undefined;
  // Personas are made by admins: only the system's objects speak, and only under names
  // that are valid now (a name given before it became a persona is checked here too).
  if (accessOf(tx.slots(oid)).owner !== SYSTEM) return undefined;
  const name = value('name');
  if (typeof name !== 'string' || aliasProblemIn(tx, oid, prototype, name) !== undefined)
    return undefined;
  const aliases = value('aliases');
  const scale = value('scale');
  return {
    oid,
    name,
    aliases: Array.isArray(aliases)
      ? aliases.filter(
          (a): a is string =>
            typeof a === 'string' && aliasProblemIn(tx, oid, prototype, a) === undefined,
        )
      : [],
    role: text(value('role')),
    voice: text(value('voice')),
    adapter: text(value('adapter')),
    scale: typeof scale === 'number' && Number.isFinite(scale) ? scale : 1,
  };
}

function text(value: Value | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** The name of the persona among `personas` that `word` names (its name or an alias, any case). */
export function personaNamed(personas: readonly PersonaRecord[], word: string): string | undefined {
  const lower = word.toLowerCase();
  return personas.find((p) => [p.name, ...p.aliases].some((n) => n.toLowerCase() === lower))?.name;
}
