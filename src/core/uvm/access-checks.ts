/** The checks of the access rules that need an object's label for their refusal. */
import type { Authority } from '../access/authority.ts';
import { accessOf } from '../model/object-access.ts';
import { mayRead, mayWrite, readRefused, writeRefused } from '../access/rights.ts';
import type { Transaction } from '../image/index.ts';
import type { Found } from '../model/lookup.ts';
import type { Oid } from '../model/value.ts';
import { labelOf } from '../model/name-table.ts';

/** Throws unless `authority` may read `oid` (and send to it). */
export function assertReadable(tx: Transaction, authority: Authority, oid: Oid): void {
  const access = accessOf(tx.slots(oid));
  if (!mayRead(authority, access)) throw readRefused(labelOf(tx, oid), access);
}

/** Throws unless `authority` may change `oid`. */
export function assertWritable(tx: Transaction, authority: Authority, oid: Oid): void {
  const access = accessOf(tx.slots(oid));
  if (!mayWrite(authority, access)) throw writeRefused(labelOf(tx, oid), access, authority);
}

/**
 * Throws unless `authority` may read a value found by lookup: one inherited from a parent is
 * that parent's, and a private parent's values stay private to a clone's owner too.
 */
export function assertFoundReadable(
  tx: Transaction,
  authority: Authority,
  receiver: Oid,
  found: Found,
): void {
  if (found.holder !== receiver) assertReadable(tx, authority, found.holder);
}
