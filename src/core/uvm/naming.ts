/**
 * Who may give which name. The root table is shared by everyone, and a name decides where
 * messages go, so a name is refused when it is, or looks like (see {@link skeleton}), a
 * command, one of root's own selectors (`setSlot`, `removeSlot`…), or a name already given;
 * and one person may hold only so many (BATOS_MAX_NAMES_PER_USER). Names of others' objects
 * capture nothing anyway: a bare name in a message reaches only the system's objects and the
 * sender's own (see {@link resolveDesignator}); anyone else's takes `@name`.
 */
import type { Authority } from '../access/authority.ts';
import { accessOf } from '../model/object-access.ts';
import { SYSTEM } from '../model/principal.ts';
import { quotaExceeded, type Quotas } from '../access/quotas.ts';
import { SendError } from '../errors.ts';
import { skeleton } from '../access/skeleton.ts';
import type { Transaction } from '../image/index.ts';
import { lookup } from '../model/lookup.ts';
import { ROOT } from '../model/primordial.ts';
import { objectLabel } from '../model/render.ts';
import { isRef, type Oid } from '../model/value.ts';
import { COMMANDS, isIdentifier } from './parser.ts';

/** Words no object may be called: the commands and `root`, in any case. */
const RESERVED = [...COMMANDS, 'root'];

/** The root table's names, each with the object it names. */
export function rootNames(tx: Transaction): Array<[string, Oid]> {
  const names: Array<[string, Oid]> = [];
  for (const [name, slot] of tx.slots(ROOT) ?? [])
    if (!name.endsWith('*') && slot.kind === 'value' && isRef(slot.value))
      names.push([name, slot.value.$ref]);
  return names;
}

/**
 * Throws a {@link SendError} saying why, unless `authority` may call `self` `name`. Returns
 * false when it is already its name (nothing to do).
 */
export function assertNameAllowed(
  tx: Transaction,
  name: string,
  self: Oid,
  authority: Authority,
  quotas: Pick<Quotas, 'maxNamesPerUser'>,
): boolean {
  const refuse = (why: string) => new SendError('bad-argument', `${why} Nothing was changed.`);
  if (!isIdentifier(name))
    throw refuse(`"${name}" cannot be a name: use letters, digits and _, starting with a letter.`);
  const shape = skeleton(name);
  const reserved = RESERVED.find((word) => skeleton(word) === shape);
  if (reserved !== undefined)
    throw refuse(`"${name}" cannot be a name: it is, or looks like, the command ${reserved}.`);
  const own = lookup(ROOT, name, (oid) => tx.slots(oid));
  if (own !== undefined && !(own.holder === ROOT && own.slot.kind === 'value'))
    throw refuse(
      `"${name}" cannot be a name: it is one of root's own selectors, and a name would hide it.`,
    );
  let held = 0;
  for (const [other, oid] of rootNames(tx)) {
    if (other === name) {
      if (oid === self) return false;
      throw refuse(
        `The name "${name}" already belongs to ${objectLabel(oid, name)}. Free it first: root removeSlot ${name}.`,
      );
    }
    if (skeleton(other) === shape && oid !== self)
      throw refuse(
        `"${name}" looks like "${other}", the name of ${objectLabel(oid, other)}; choose a name nobody could take for it.`,
      );
    if (tx.exists(oid) && accessOf(tx.slots(oid)).owner === authority.principal) held += 1;
  }
  const bounded = !authority.admin && authority.principal !== SYSTEM;
  if (bounded && held + 1 > quotas.maxNamesPerUser)
    throw quotaExceeded(
      `${authority.principal} already holds ${held} names; one person may hold at most ${quotas.maxNamesPerUser} (BATOS_MAX_NAMES_PER_USER). Free one you no longer need: root removeSlot <name>.`,
    );
  return true;
}
