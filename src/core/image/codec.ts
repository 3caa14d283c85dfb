/**
 * How slots are written to disk: one JSON row per object, slots in order as compact tuples.
 * One row per object made loading everything twice as fast as one row per slot in the
 * measurements made when the image was designed (November 2026; `bench/image.ts` keeps
 * them as its "SQLite row/slot, JSON/object" column), at a small cost per commit.
 */
import { referencedOids, type Oid, type Slot, type SlotMap } from '../model/value.ts';

type EncodedSlot =
  | [name: string, kind: 'v', value: unknown]
  | [name: string, kind: 'm', source: string, provenance?: unknown]
  | [name: string, kind: 'p', primitive: string];

/**
 * A slot as a change records it: `kind` first, however the slot was built, since the index
 * of method changes (migration 0018) knows a method by the text's start.
 */
export function encodeSlot(slot: Slot): string {
  const { kind, ...rest } = slot;
  return JSON.stringify({ kind, ...rest });
}

export function decodeSlot(text: string): Slot {
  return JSON.parse(text) as Slot;
}

export function encodeSlots(slots: SlotMap): string {
  const rows: EncodedSlot[] = [];
  for (const [name, slot] of slots) {
    if (slot.kind === 'value') rows.push([name, 'v', slot.value]);
    else if (slot.kind === 'method')
      rows.push(
        slot.provenance === undefined
          ? [name, 'm', slot.source]
          : [name, 'm', slot.source, slot.provenance],
      );
    else rows.push([name, 'p', slot.name]);
  }
  return JSON.stringify(rows);
}

export function decodeSlots(text: string): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  for (const row of JSON.parse(text) as EncodedSlot[]) {
    const [name, kind] = row;
    if (kind === 'v') slots.set(name, { kind: 'value', value: row[2] as never });
    else if (kind === 'm')
      slots.set(
        name,
        row[3] === undefined
          ? { kind: 'method', source: row[2] }
          : { kind: 'method', source: row[2], provenance: row[3] as never },
      );
    else slots.set(name, { kind: 'primitive', name: row[2] });
  }
  return slots;
}

/** The oids an object's slots refer to, stored beside the slots so collection can run in SQL. */
export function encodeRefs(slots: SlotMap): string {
  const oids = new Set<Oid>();
  for (const slot of slots.values()) if (slot.kind === 'value') referencedOids(slot.value, oids);
  return JSON.stringify([...oids]);
}
