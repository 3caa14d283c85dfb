/**
 * The parent links: one row per (parent, child) pair, for every object whose `parent*` slot
 * names another (migration 0014). The browser's object page finds an object's children here,
 * through the table's key, instead of reading every object's references. The image works
 * out a commit's link changes from its slot changes, only when one touches a `parent*` slot
 * (most sends change none: the store then writes nothing more), and the store writes them
 * in the same database transaction as the objects; a row goes with its child
 * (`ON DELETE CASCADE`), so `collect` needs nothing more.
 */
import type { Kysely } from 'kysely';
import { PARENT_SLOT, parentOids, type Oid, type Slot } from '../model/value.ts';
import type { ImageSchema } from './schema.ts';
import type { SlotChange } from './transaction.ts';

/** One link: `child`'s parent slot names `parent`. */
export interface ParentLink {
  readonly parent: Oid;
  readonly child: Oid;
}

/** What one commit changes in the links: rows to add and rows to drop (never the same row). */
export interface ParentLinkChanges {
  readonly add: readonly ParentLink[];
  readonly remove: readonly ParentLink[];
}

/** The parents a parent slot names; none for a method, a primitive or no slot. */
export function parentsIn(slot: Slot | undefined): Oid[] {
  return slot?.kind === 'value' ? parentOids(slot.value) : [];
}

/**
 * The link changes a commit's slot changes make, or `undefined` when none touches a parent
 * slot. Changes are applied in order, so the last word on each pair wins.
 */
export function parentLinkChanges(changes: readonly SlotChange[]): ParentLinkChanges | undefined {
  let links: Map<string, ParentLink & { readonly linked: boolean }> | undefined;
  for (const { oid: child, slot, before, after } of changes) {
    if (slot !== PARENT_SLOT) continue;
    links ??= new Map();
    for (const parent of parentsIn(before))
      links.set(`${parent} ${child}`, { parent, child, linked: false });
    for (const parent of parentsIn(after))
      links.set(`${parent} ${child}`, { parent, child, linked: true });
  }
  if (links === undefined) return undefined;
  const add: ParentLink[] = [];
  const remove: ParentLink[] = [];
  for (const { parent, child, linked } of links.values())
    (linked ? add : remove).push({ parent, child });
  return { add, remove };
}

/** Up to `limit` oids above `after`, in order, of objects whose parent slot names `oid`. */
export async function childrenOf(
  db: Kysely<ImageSchema>,
  oid: Oid,
  after: Oid,
  limit: number,
): Promise<Oid[]> {
  const rows = await db
    .selectFrom('parent_links')
    .select('child')
    .where('parent', '=', oid)
    .where('child', '>', after)
    .orderBy('child')
    .limit(limit)
    .execute();
  return rows.map((row) => Number(row.child));
}
