/**
 * An object's children for the browser's object page: the objects whose parent slot names
 * it, that the caller may read (others are left out, uncounted: their number would tell of
 * them), a page at a time in oid order. They are found through the image's parent links
 * (`image/parent-links.ts`), so a page reads the parent's children, never the whole image.
 */
import type { Authority } from '../access/authority.ts';
import { mayRead } from '../access/rights.ts';
import type { Image, Transaction } from '../image/index.ts';
import { labelOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import { PARENT_SLOT, parentOids, type Oid } from '../model/value.ts';
import type { ChildrenPage, ObjectLink } from './inspection.ts';

/** Children shown on one page. */
export const CHILDREN_PAGE = 50;
/** Children read from the image's links at once, while looking for readable ones. */
const BATCH = 500;

/** The children of `oid` that `authority` may read, with oids above `after`. */
export async function readableChildren(
  image: Pick<Image, 'children'>,
  tx: Transaction,
  authority: Authority,
  oid: Oid,
  after: Oid,
): Promise<ChildrenPage> {
  const links: ObjectLink[] = [];
  for (let cursor = after; ;) {
    const batch = await image.children(oid, cursor, BATCH);
    for (const child of batch) {
      cursor = child;
      const slots = tx.slots(child);
      // The links are as committed; this read's snapshot has the last word.
      const parent = slots?.get(PARENT_SLOT);
      if (parent?.kind !== 'value' || !parentOids(parent.value).includes(oid)) continue;
      if (!mayRead(authority, accessOf(slots))) continue;
      if (links.length === CHILDREN_PAGE) return { links, next: links.at(-1)!.oid };
      links.push({ oid: child, label: labelOf(tx, child) });
    }
    if (batch.length < BATCH) return { links };
  }
}
