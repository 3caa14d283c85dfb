/**
 * What no write may break in the primordial objects: the root and genesis keep a parent
 * chain that reaches traits (where every primitive lives), made of live objects, with no
 * cycle back through the root. Checked on every write of a `parent*` slot — by a primitive,
 * a method, undo or BAT OS itself — so no send can leave the image unable to answer.
 */
import type { SlotReader } from './lookup.ts';
import { GENESIS, ROOT, TRAITS } from './primordial.ts';
import { isRef, parentOids, PARENT_SLOT, type Oid, type Slot } from './value.ts';

/** The objects that must always reach traits through their parents. */
const ANCHORED: readonly Oid[] = [ROOT, GENESIS];

/**
 * Why writing `slot` (undefined: removing it) to the `parent*` of `oid` would break an
 * invariant; undefined when it would not.
 */
export function parentProblem(
  oid: Oid,
  slot: Slot | undefined,
  read: SlotReader,
): string | undefined {
  const value = slot?.kind === 'value' ? slot.value : undefined;
  if (slot !== undefined) {
    const refs = Array.isArray(value) ? value : [value];
    if (slot.kind !== 'value' || !refs.every(isRef))
      return 'parent* holds an object reference (@name, #oid) or a list of them.';
    const dead = parentOids(value).find((parent) => read(parent) === undefined);
    if (dead !== undefined) return `parent* cannot name #${dead}: there is no such object.`;
  }
  const parentsOf = (of: Oid): Oid[] => {
    if (of === oid) return parentOids(value);
    const held = read(of)?.get(PARENT_SLOT);
    return held?.kind === 'value' ? parentOids(held.value) : [];
  };
  for (const anchor of ANCHORED) {
    if (parentsOf(anchor).length === 0)
      return `#${anchor} must keep a parent: it is how it reaches traits and every primitive.`;
    if (!reaches(anchor, TRAITS, parentsOf))
      return `#${anchor} would no longer reach traits through its parents, and could answer nothing.`;
  }
  if (reaches(ROOT, ROOT, parentsOf))
    return 'That would make a cycle through the root: the root would inherit from itself.';
  return undefined;
}

/** Whether `target` is among the ancestors of `start` (not counting paths back through it). */
function reaches(start: Oid, target: Oid, parentsOf: (oid: Oid) => Oid[]): boolean {
  const seen = new Set<Oid>([start]);
  const pending = [...parentsOf(start)];
  while (pending.length > 0) {
    const oid = pending.pop()!;
    if (oid === target) return true;
    if (seen.has(oid)) continue;
    seen.add(oid);
    pending.push(...parentsOf(oid));
  }
  return false;
}
