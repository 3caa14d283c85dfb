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
 * depth-first, left to right, each object visited once so cycles are harmless. Iterative,
 * so no chain is too deep for the stack.
 */
export function lookup(start: Oid, selector: string, read: SlotReader): Found | undefined {
  const visited = new Set<Oid>();
  const pending: Oid[] = [start];
  while (pending.length > 0) {
    const oid = pending.pop()!;
    if (visited.has(oid)) continue;
    visited.add(oid);
    const slots = read(oid);
    if (slots === undefined) continue;
    const slot = slots.get(selector);
    if (slot !== undefined) return { holder: oid, slot };
    const parents = slots.get(PARENT_SLOT);
    if (parents?.kind !== 'value') continue;
    // Pushed in reverse, so the leftmost parent is searched first.
    const next = parentOids(parents.value);
    for (let i = next.length - 1; i >= 0; i -= 1) pending.push(next[i]!);
  }
  return undefined;
}
