import { PARENT_SLOT, parentOids, type Oid, type Slot } from './value.ts';

/** Reads an object's slots; `undefined` when the object does not exist. */
export type SlotReader = (oid: Oid) => ReadonlyMap<string, Slot> | undefined;

/** Where a selector was found: the object that holds the slot, and the slot. */
export interface Found {
  readonly holder: Oid;
  readonly slot: Slot;
}

/**
 * Finds a selector along the delegation chain: the object's own slots, then each parent
 * depth-first, left to right, each object visited once so cycles are harmless.
 */
export function lookup(start: Oid, selector: string, read: SlotReader): Found | undefined {
  const visited = new Set<Oid>();
  const visit = (oid: Oid): Found | undefined => {
    if (visited.has(oid)) return undefined;
    visited.add(oid);
    const slots = read(oid);
    if (slots === undefined) return undefined;
    const slot = slots.get(selector);
    if (slot !== undefined) return { holder: oid, slot };
    const parents = slots.get(PARENT_SLOT);
    if (parents?.kind !== 'value') return undefined;
    for (const parent of parentOids(parents.value)) {
      const found = visit(parent);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(start);
}
