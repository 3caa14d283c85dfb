/**
 * Primitives: named host functions held by `traits`. A chat message and a method's nested
 * send reach them the same way, and they change the image only through the transaction.
 */
import type { Authority } from '../access/authority.ts';
import { checkMethodRules } from '../analysis/index.ts';
import {
  ACCESS_SLOT,
  accessOf,
  applyMode,
  describeAccess,
  flagsOf,
  OWNER_SLOT,
} from '../model/object-access.ts';
import { PERSON_PRINCIPAL } from '../access/principal.ts';
import { SYSTEM } from '../model/principal.ts';
import { cloneRefused, mayClone } from '../access/rights.ts';
import { SendError } from '../errors.ts';
import type { Transaction } from '../image/index.ts';
import {
  isHiddenSlot,
  isRef,
  type MethodProvenance,
  type Oid,
  PARENT_SLOT,
  parentOids,
  ref,
  referencedOids,
  type Slot,
  type SlotMap,
  type Value,
} from '../model/value.ts';
import { lookup } from '../model/lookup.ts';
import { ROOT, type TraitPrimitive } from '../model/primordial.ts';
import { assertFoundReadable, assertWritable } from './access-checks.ts';
import { labelOf, nameOf } from '../model/name-table.ts';
import { assertNameAllowed } from './naming.ts';
import { isIdentifier } from './parser.ts';
import type { Quotas } from '../access/quotas.ts';

/** What a primitive is given. */
export interface PrimitiveCall {
  /** The send's transaction, its writes checked with {@link authority}. */
  readonly tx: Transaction;
  readonly self: Oid;
  readonly selector: string;
  readonly args: readonly Value[];
  /** Whose rights the primitive runs with: the sender's, or the calling method's owner's. */
  readonly authority: Authority;
  /**
   * Runs `work` on the same transaction with its writes checked with the system's authority
   * (for the sender), for a write the primitive has already allowed by its own rule (naming
   * an object one owns writes the system-owned root).
   */
  readonly elevate: <T>(work: (tx: Transaction) => T) => T;
  /** Checks method source before it is stored; throws with the reason. */
  readonly checkMethod: (source: string) => void;
  /** The per-person bounds primitives apply themselves (names). */
  readonly quotas: Pick<Quotas, 'maxNamesPerUser'>;
}

/**
 * A named host function. Most are synchronous; one that returns a promise (the audit) can
 * only be sent from a message, not from inside a running method.
 */
export type Primitive = (call: PrimitiveCall) => Value | Promise<Value>;

/** Primitives other parts of BAT OS add (the personas add `auditPersistence`). */
export type PrimitiveTable = Readonly<Record<string, Primitive>>;

const primitives: Record<TraitPrimitive, (call: PrimitiveCall) => Value> = {
  clone: ({ tx, self, authority }) => {
    const access = accessOf(tx.slots(self));
    if (!mayClone(authority, access)) throw cloneRefused(labelOf(tx, self), access, authority);
    // A clone made by a system method belongs to the person whose send it was.
    const owner = authority.principal === SYSTEM ? authority.sender : authority.principal;
    return ref(
      tx.create([
        [PARENT_SLOT, { kind: 'value', value: ref(self) }],
        ...(owner === SYSTEM ? [] : [[OWNER_SLOT, { kind: 'value', value: owner }] as const]),
      ]),
    );
  },

  setSlot: (call) => {
    const [name, value] = expectArgs(call, 2, 'setSlot <name> <value>');
    const slot = slotName(name);
    assertReferencesExist(call.tx, value!);
    call.tx.setSlot(call.self, slot, { kind: 'value', value: value! });
    return value!;
  },

  getSlot: (call) => {
    const [name] = expectArgs(call, 1, 'getSlot <name>');
    const slot = slotName(name);
    const found = lookup(call.self, slot, (oid) => call.tx.slots(oid));
    if (found === undefined)
      throw new SendError('bad-argument', `${labelOf(call.tx, call.self)} has no slot "${slot}".`);
    assertFoundReadable(call.tx, call.authority, call.self, found);
    if (found.slot.kind !== 'value')
      throw new SendError(
        'bad-argument',
        `"${slot}" is a ${found.slot.kind}, not a value: \`methodSource ${slot}\` shows a method.`,
      );
    return found.slot.value;
  },

  removeSlot: (call) => {
    const [name] = expectArgs(call, 1, 'removeSlot <name>');
    if (!removeSlot(call, slotName(name)))
      throw new SendError(
        'bad-argument',
        `${labelOf(call.tx, call.self)} has no slot "${String(name)}" of its own to remove.`,
      );
    return true;
  },

  slotNames: ({ tx, self }) => visibleSlotNames(tx.slots(self)),

  parents: ({ tx, self }) => parentOids(valueOf(tx, self, PARENT_SLOT)).map(ref),

  name: (call) => {
    if (call.args.length === 0) return nameOf(call.tx, call.self);
    const [name] = expectArgs(call, 1, 'name [<new name>]');
    if (typeof name !== 'string')
      throw new SendError('bad-argument', `${JSON.stringify(name)} cannot be a name: give a word.`);
    // A name in the root table is its object's owner's to give: the root itself is the system's.
    assertWritable(call.tx, call.authority, call.self);
    if (assertNameAllowed(call.tx, name, call.self, call.authority, call.quotas))
      call.elevate((tx) => tx.setSlot(ROOT, name, { kind: 'value', value: ref(call.self) }));
    return name;
  },

  describe: ({ tx, self }) => {
    const slots = tx.slots(self) ?? new Map<string, Slot>();
    const parts = [...slots]
      .filter(([name]) => !isHiddenSlot(name))
      .map(([name, slot]) =>
        slot.kind === 'value' ? name : `${name}${slot.kind === 'method' ? '()' : '[primitive]'}`,
      );
    return `${labelOf(tx, self)}: ${parts.length} slot${parts.length === 1 ? '' : 's'}${parts.length ? ' — ' + parts.join(', ') : ''}\n${describeAccess(accessOf(slots))}`;
  },

  respondsTo: (call) => {
    const [selector] = expectArgs(call, 1, 'respondsTo <selector>');
    return (
      typeof selector === 'string' &&
      lookup(call.self, selector, (oid) => call.tx.slots(oid)) !== undefined
    );
  },

  defineMethod: (call) => {
    const [name, source] = expectArgs(call, 2, 'defineMethod <selector> "<function source>"');
    if (!call.authority.programmer)
      throw new SendError(
        'not-allowed',
        'Only programmers may define methods by hand here (the operator lists them in BATOS_PROGRAMMERS). You can still ask an object you own for something new, and the model will write it.',
      );
    if (typeof name !== 'string' || !isIdentifier(name))
      throw new SendError('bad-argument', `"${String(name)}" is not a selector.`);
    if (typeof source !== 'string')
      throw new SendError(
        'bad-argument',
        'The method source must be a string: "function (self) { … }".',
      );
    try {
      call.checkMethod(source);
      // The rule the model's methods follow, so the audit never flags one kept by hand.
      checkMethodRules(source);
    } catch (error) {
      throw new SendError(
        'bad-argument',
        `The method ${name} was not stored: ${(error as Error).message}`,
      );
    }
    const provenance: MethodProvenance = {
      author: 'human',
      by: call.tx.info.who,
      at: new Date().toISOString(),
      owner: authorOf(call.tx, call.self, call.authority),
    };
    call.tx.setSlot(call.self, name, { kind: 'method', source, provenance });
    return name;
  },

  methodSource: (call) => {
    const [name] = expectArgs(call, 1, 'methodSource <selector>');
    const found =
      typeof name === 'string' ? lookup(call.self, name, (oid) => call.tx.slots(oid)) : undefined;
    if (found?.slot.kind !== 'method')
      throw new SendError(
        'bad-argument',
        `${labelOf(call.tx, call.self)} has no method "${String(name)}".`,
      );
    assertFoundReadable(call.tx, call.authority, call.self, found);
    return found.slot.source;
  },

  chown: (call) => {
    const [owner] = expectArgs(call, 1, 'chown <owner>  (system, or platform:user id)');
    if (typeof owner !== 'string' || !(owner === SYSTEM || PERSON_PRINCIPAL.test(owner)))
      throw new SendError(
        'bad-argument',
        `"${String(owner)}" is not an owner: give system, or a platform and user id such as discord:123456789.`,
      );
    if (!call.authority.admin || call.authority.readOnly)
      throw new SendError(
        'not-allowed',
        `Only admins may change who owns ${labelOf(call.tx, call.self)}. Nothing was changed.`,
      );
    const before = accessOf(call.tx.slots(call.self)).owner;
    // Its methods keep running as whoever wrote them: a new owner lends them no authority.
    for (const [selector, slot] of call.tx.slots(call.self) ?? [])
      if (slot.kind === 'method' && slot.provenance?.owner === undefined)
        call.tx.setSlot(call.self, selector, {
          ...slot,
          provenance: { ...unknownProvenance, owner: before },
        });
    call.tx.setSlot(call.self, OWNER_SLOT, { kind: 'value', value: owner });
    return describeAccess(accessOf(call.tx.slots(call.self)));
  },

  chmod: (call) => {
    const [mode] = expectArgs(call, 1, 'chmod <mode>  (private, shared, public, rf, +w, -r …)');
    const current = flagsOf(accessOf(call.tx.slots(call.self)));
    const flags = typeof mode === 'string' ? applyMode(current, mode) : undefined;
    if (flags === undefined)
      throw new SendError(
        'bad-argument',
        `"${String(mode)}" is not a mode. Use private, shared (rf), public (rwf), exact flags such as "rf", or changes such as +w or -r. r: anyone may read and send; w: anyone may change; f: anyone may clone.`,
      );
    call.tx.setSlot(call.self, ACCESS_SLOT, { kind: 'value', value: flags });
    return describeAccess(accessOf(call.tx.slots(call.self)));
  },

  doesNotUnderstand_: (call) => {
    const [selector] = call.args;
    throw notUnderstood(call.tx, call.self, String(selector), 'no model is loaded to write it');
  },
};

/**
 * Whose authority a method defined now by `authority` on `self` runs with: its author's,
 * never the object's owner's (a writable object lends nobody its owner's rights). Only an
 * admin writing on a system object writes system code.
 */
export function authorOf(tx: Transaction, self: Oid, authority: Authority): string {
  const owner = accessOf(tx.slots(self)).owner;
  return owner === SYSTEM && authority.admin ? SYSTEM : authority.principal;
}

/** Method provenance for a method from before provenance was kept. */
const unknownProvenance: MethodProvenance = { author: 'human', by: SYSTEM, at: '' };

/** An object's slot names as listings show them: without the access metadata. */
export function visibleSlotNames(slots: SlotMap | undefined): string[] {
  return [...(slots?.keys() ?? [])].filter((name) => !isHiddenSlot(name));
}

/**
 * Removes a slot of `call.self`, as `removeSlot` and a method's `self.remove` do; returns
 * whether it was there. A name in the root table may be freed by the owner of the object
 * it names.
 */
export function removeSlot(call: PrimitiveCall, slot: string): boolean {
  const { tx, self } = call;
  const named = self === ROOT ? tx.getSlot(ROOT, slot) : undefined;
  if (named?.kind === 'value' && isRef(named.value) && tx.exists(named.value.$ref)) {
    assertWritable(tx, call.authority, named.value.$ref);
    return call.elevate((system) => system.removeSlot(ROOT, slot));
  }
  return tx.removeSlot(self, slot);
}

/** Runs a primitive by name: one of the traits' own, or one from `extra`. */
export function runPrimitive(
  name: string,
  call: PrimitiveCall,
  extra: PrimitiveTable = {},
): Value | Promise<Value> {
  const primitive = (extra[name] ?? primitives[name as TraitPrimitive]) as Primitive | undefined;
  if (primitive === undefined)
    throw new SendError(
      'internal',
      `The primitive "${name}" does not exist in this version of BAT OS.`,
    );
  return primitive(call);
}

/** The error for a selector nobody along the delegation chain understands. */
export function notUnderstood(tx: Transaction, oid: Oid, selector: string, why: string): SendError {
  return new SendError(
    'not-understood',
    `${labelOf(tx, oid)} does not understand ${selector}, and ${why}.`,
  );
}

function expectArgs(call: PrimitiveCall, count: number, usage: string): readonly Value[] {
  if (call.args.length !== count)
    throw new SendError(
      'bad-argument',
      `${call.selector} takes ${count} argument${count === 1 ? '' : 's'}, not ${call.args.length}. Usage: ${usage}`,
    );
  return call.args;
}

/** The slot a message or method names: an identifier, or `parent*`; throws otherwise. */
export function slotName(name: Value | undefined): string {
  if (typeof name === 'string' && (name === PARENT_SLOT || isIdentifier(name))) return name;
  throw new SendError(
    'bad-argument',
    `${JSON.stringify(name)} is not a slot name: use letters, digits and _ (or parent*).`,
  );
}

function valueOf(tx: Transaction, oid: Oid, slot: string): Value | undefined {
  const found = tx.getSlot(oid, slot);
  return found?.kind === 'value' ? found.value : undefined;
}

function assertReferencesExist(tx: Transaction, value: Value): void {
  for (const oid of referencedOids(value))
    if (!tx.exists(oid))
      throw new SendError('unknown-object', `There is no object #${oid} to refer to.`);
}
