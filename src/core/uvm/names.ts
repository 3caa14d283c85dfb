/**
 * How a message designates an object: by a name in the root's table (`core/model/name-table.ts`),
 * `@name`, or `#oid`.
 */
import { accessOf } from '../model/object-access.ts';
import { SYSTEM, type Principal } from '../model/principal.ts';
import { SendError } from '../errors.ts';
import { objectLabel } from '../model/render.ts';
import type { Transaction } from '../image/index.ts';
import { namedObject } from '../model/name-table.ts';
import { ref, type Oid, type Value } from '../model/value.ts';
import type { ObjectDesignator } from './parser.ts';

/**
 * Whether a bare name (no `@`) written by `follower` reaches `oid`: only the system's objects
 * and the follower's own do, so nobody's words land in an object someone else named.
 */
export function followsBareName(tx: Transaction, oid: Oid, follower: Principal): boolean {
  const owner = accessOf(tx.slots(oid)).owner;
  return owner === SYSTEM || owner === follower;
}

/**
 * Resolves `genesis`, `@genesis` or `#3` to an existing object, or says clearly why not. With
 * a `follower`, a bare name reaches only the system's objects and the follower's own (see
 * {@link followsBareName}); `@name` and `#oid` reach anyone's.
 */
export function resolveDesignator(
  tx: Transaction,
  designator: ObjectDesignator,
  follower?: Principal,
): Oid {
  if (designator.kind === 'oid') {
    if (!tx.exists(designator.oid))
      throw new SendError('unknown-object', `There is no object #${designator.oid}.`);
    return designator.oid;
  }
  const oid = namedObject(tx, designator.name);
  if (oid === undefined || !tx.exists(oid))
    throw new SendError(
      'unknown-object',
      `There is no object named "${designator.name}". \`root slotNames\` lists the names.`,
    );
  if (follower !== undefined && !designator.explicit && !followsBareName(tx, oid, follower))
    throw new SendError(
      'unknown-object',
      `"${designator.name}" names ${objectLabel(oid, designator.name)}, which belongs to ${accessOf(tx.slots(oid)).owner}: a bare name reaches only your objects and the system's. To send to theirs, write @${designator.name} (or #${oid}). Nothing was done.`,
    );
  return oid;
}

/** Replaces each `{"$ref": designator}` placeholder the parser left in a value by a reference. */
export function resolveTemplate(tx: Transaction, value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolveTemplate(tx, item));
  const designator = (value as { $ref?: unknown }).$ref;
  if (typeof designator === 'object' && designator !== null)
    return ref(resolveDesignator(tx, designator as ObjectDesignator));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplate(tx, v)]));
}
