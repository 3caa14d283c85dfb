/**
 * What a persona may be called. Names and aliases decide which messages go to a persona, so
 * they must never capture a command (`undo`), an object's name (`genesis`), another
 * persona's, anything that only looks like one of those (`ALFRЕD` with a Cyrillic Е, see
 * {@link skeleton}), or everything (an empty alias). They are checked whenever an object
 * becomes or stays a persona: when `name` or `aliases` is stored, when `parent*` makes it
 * one, and when the personas are read (see records.ts); and a root name cannot later be
 * taken that looks like a persona's.
 */
import type { SlotRule } from '../core/access/guard.ts';
import type { Transaction } from '../core/image/index.ts';
import { ROOT } from '../core/model/primordial.ts';
import { skeleton } from '../core/access/skeleton.ts';
import { isRef, parentOids, PARENT_SLOT, type Oid, type Value } from '../core/model/value.ts';
import { namedObject } from '../core/model/name-table.ts';
import { rootNames } from '../core/uvm/naming.ts';
import { COMMANDS } from '../core/uvm/parser.ts';

/** The most aliases one persona may have. */
export const MAX_ALIASES = 16;
/** The longest name or alias, in characters. */
export const MAX_ALIAS_LENGTH = 32;

const ALIAS = new RegExp(`^[\\p{L}\\p{N}][\\p{L}\\p{N} _.'-]{0,${MAX_ALIAS_LENGTH - 1}}$`, 'u');

/** Why `alias` cannot be a persona's name or alias on its own; undefined when it can. */
export function aliasProblem(alias: string): string | undefined {
  if (!ALIAS.test(alias) || alias.trim() !== alias)
    return `"${alias.slice(0, 40)}" cannot be a persona's name or alias: use 1 to ${MAX_ALIAS_LENGTH} letters, digits, spaces, _ . ' or -, starting with a letter or digit.`;
  const command = COMMANDS.find((word) => skeleton(word) === skeleton(alias));
  if (command !== undefined)
    return `"${alias}" is, or looks like, the command ${command}; a persona cannot be called that.`;
  return undefined;
}

/** The slot rule the personas give the UVM: checks names and aliases as they are written. */
export function personaSlotRule(prototypeName: string): SlotRule {
  return (tx, oid, slot, value) => {
    if (oid === ROOT) return rootNameProblem(tx, slot, value, prototypeName);
    if (slot !== 'aliases' && slot !== 'name' && slot !== PARENT_SLOT) return undefined;
    const prototype = namedObject(tx, prototypeName);
    const parents = slot === PARENT_SLOT ? value : valueOf(tx, oid, PARENT_SLOT);
    if (prototype === undefined || !parentOids(parents).includes(prototype)) return undefined;
    // Becoming a persona, or staying one: what it is called now, with what is being stored.
    const name = slot === 'name' ? value : valueOf(tx, oid, 'name');
    const aliases = slot === 'aliases' ? value : (valueOf(tx, oid, 'aliases') ?? []);
    if (slot === PARENT_SLOT && name === undefined) return undefined;
    return namesProblem(tx, oid, prototype, name, aliases);
  };
}

/** Why a persona `oid` may not be called `name` with `aliases`; undefined when it may. */
export function namesProblem(
  tx: Transaction,
  oid: Oid,
  prototype: Oid,
  name: Value | undefined,
  aliases: Value,
): string | undefined {
  // A persona being made may get its aliases before its name.
  if (name !== undefined && typeof name !== 'string')
    return 'A persona\'s name is text, e.g. "ROBIN".';
  if (!Array.isArray(aliases))
    return 'A persona\'s aliases are a list of text, e.g. ["robin", "rob"].';
  if (aliases.length > MAX_ALIASES)
    return `A persona may have at most ${MAX_ALIASES} aliases, not ${aliases.length}.`;
  for (const alias of name === undefined ? aliases : [name, ...aliases]) {
    if (typeof alias !== 'string') return 'Each alias is text.';
    const problem = aliasProblemIn(tx, oid, prototype, alias);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Why persona `oid` may not answer to `alias` now; undefined when it may. */
export function aliasProblemIn(
  tx: Transaction,
  oid: Oid,
  prototype: Oid,
  alias: string,
): string | undefined {
  return aliasProblem(alias) ?? takenBy(tx, oid, alias, prototype);
}

function valueOf(tx: Transaction, oid: Oid, slot: string): Value | undefined {
  const found = tx.getSlot(oid, slot);
  return found?.kind === 'value' ? found.value : undefined;
}

/** Why another object or persona already answers to `alias`, or to one like it, if one does. */
function takenBy(tx: Transaction, persona: Oid, alias: string, prototype: Oid): string | undefined {
  const shape = skeleton(alias);
  for (const [name, holder] of rootNames(tx))
    if (holder !== persona && skeleton(name) === shape)
      return `"${alias}" is${name === alias ? '' : ' like'} the name of #${holder} in the root table; a persona called that would capture its messages.`;
  const other = personaCalled(tx, alias, prototype);
  if (other !== undefined && other !== persona)
    return `"${alias}" is already, or looks like, a name or alias of persona #${other}.`;
  return undefined;
}

/** A root name may not be a persona's name or alias, unless it names that persona. */
function rootNameProblem(
  tx: Transaction,
  name: string,
  value: Value,
  prototypeName: string,
): string | undefined {
  if (name.endsWith('*') || !isRef(value)) return undefined;
  const prototype = namedObject(tx, prototypeName);
  if (prototype === undefined) return undefined;
  const persona = personaCalled(tx, name, prototype);
  return persona !== undefined && persona !== value.$ref
    ? `"${name}" is what persona #${persona} answers to; choose another name.`
    : undefined;
}

/** The persona (a child of the prototype named in the root) called `alias`, or like it, if any. */
function personaCalled(tx: Transaction, alias: string, prototype: Oid): Oid | undefined {
  const wanted = skeleton(alias);
  for (const [, oid] of rootNames(tx)) {
    if (!parentOids(valueOf(tx, oid, PARENT_SLOT)).includes(prototype)) continue;
    const names = [valueOf(tx, oid, 'name'), valueOf(tx, oid, 'aliases')].flatMap((v) =>
      v === undefined ? [] : Array.isArray(v) ? v : [v],
    );
    if (names.some((n) => typeof n === 'string' && skeleton(n) === wanted)) return oid;
  }
  return undefined;
}
