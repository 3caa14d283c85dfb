/**
 * What a persona may be called. Names and aliases decide which messages go to a persona, so
 * they must never capture a command (`undo`), an object's name (`genesis`) or everything
 * (an empty alias): each is checked when it is stored, and a root name cannot later be
 * taken that is already a persona's.
 */
import type { SlotRule } from '../core/access/guard.ts';
import type { Transaction } from '../core/image/index.ts';
import { ROOT } from '../core/model/primordial.ts';
import { isRef, parentOids, PARENT_SLOT, type Oid, type Value } from '../core/model/value.ts';
import { namedObject } from '../core/uvm/names.ts';
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
  if ((COMMANDS as readonly string[]).includes(alias.toLowerCase()))
    return `"${alias}" is a command; a persona cannot be called that.`;
  return undefined;
}

/** The slot rule the personas give the UVM: checks names and aliases as they are written. */
export function personaSlotRule(prototypeName: string): SlotRule {
  return (tx, oid, slot, value) => {
    if (oid === ROOT) return rootNameProblem(tx, slot, value, prototypeName);
    if (slot !== 'aliases' && slot !== 'name') return undefined;
    const prototype = namedObject(tx, prototypeName);
    const parent = tx.getSlot(oid, PARENT_SLOT);
    if (
      prototype === undefined ||
      parent?.kind !== 'value' ||
      !parentOids(parent.value).includes(prototype)
    )
      return undefined;
    const names = slot === 'name' ? [value] : value;
    if (!Array.isArray(names) || (slot === 'name' && typeof value !== 'string'))
      return slot === 'name'
        ? 'A persona\'s name is text, e.g. "ROBIN".'
        : 'A persona\'s aliases are a list of text, e.g. ["robin", "rob"].';
    if (names.length > MAX_ALIASES)
      return `A persona may have at most ${MAX_ALIASES} aliases, not ${names.length}.`;
    for (const alias of names) {
      if (typeof alias !== 'string') return 'Each alias is text.';
      const problem = aliasProblem(alias) ?? takenBy(tx, oid, alias, prototype);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** Why another object or persona already answers to `alias`, if one does. */
function takenBy(tx: Transaction, persona: Oid, alias: string, prototype: Oid): string | undefined {
  for (const candidate of [alias, alias.toLowerCase()]) {
    const holder = namedObject(tx, candidate);
    if (holder !== undefined && holder !== persona)
      return `"${alias}" is the name of #${holder} in the root table; a persona called that would capture its messages.`;
  }
  const other = personaCalled(tx, alias, prototype);
  if (other !== undefined && other !== persona)
    return `"${alias}" is already a name or alias of persona #${other}.`;
  return undefined;
}

/** A root name may not be a persona's name or alias, unless it names that persona. */
function rootNameProblem(
  tx: Transaction,
  name: string,
  value: Value,
  prototypeName: string,
): string | undefined {
  if (name === PARENT_SLOT || !isRef(value)) return undefined;
  const prototype = namedObject(tx, prototypeName);
  if (prototype === undefined) return undefined;
  const persona = personaCalled(tx, name, prototype);
  return persona !== undefined && persona !== value.$ref
    ? `"${name}" is what persona #${persona} answers to; choose another name.`
    : undefined;
}

/** The persona (a child of the prototype named in the root) called `alias`, if any. */
function personaCalled(tx: Transaction, alias: string, prototype: Oid): Oid | undefined {
  const wanted = alias.toLowerCase();
  for (const [, slot] of tx.slots(ROOT) ?? []) {
    if (slot.kind !== 'value' || !isRef(slot.value)) continue;
    const oid = slot.value.$ref;
    const parent = tx.getSlot(oid, PARENT_SLOT);
    if (parent?.kind !== 'value' || !parentOids(parent.value).includes(prototype)) continue;
    const names = [tx.getSlot(oid, 'name'), tx.getSlot(oid, 'aliases')].flatMap((s) =>
      s?.kind !== 'value' ? [] : Array.isArray(s.value) ? s.value : [s.value],
    );
    if (names.some((n) => typeof n === 'string' && n.toLowerCase() === wanted)) return oid;
  }
  return undefined;
}
