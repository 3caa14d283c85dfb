/**
 * The objects every image starts with. Oids are fixed so that documentation and tests can
 * name them: the root (the name table) is #0, traits #1, pLLM #2, genesis #3.
 */
import { PARENT_SLOT, ref, type Oid, type Slot, type Value } from './value.ts';

export const ROOT: Oid = 0;
export const TRAITS: Oid = 1;
export const PLLM: Oid = 2;
export const GENESIS: Oid = 3;

/** The primitives `traits` holds; every object reaches them through delegation. */
export const TRAIT_PRIMITIVES = [
  'clone',
  'setSlot',
  'getSlot',
  'removeSlot',
  'slotNames',
  'parents',
  'name',
  'describe',
  'respondsTo',
  'defineMethod',
  'methodSource',
  'chown',
  'chmod',
  'doesNotUnderstand_',
] as const;

export type TraitPrimitive = (typeof TRAIT_PRIMITIVES)[number];

const value = (v: Value): Slot => ({ kind: 'value', value: v });

/** Slots of each primordial object, in creation order (the order fixes their oids). */
export function primordialObjects(): Array<Array<[string, Slot]>> {
  const inheritsTraits: [string, Slot] = [PARENT_SLOT, value(ref(TRAITS))];
  return [
    [
      inheritsTraits,
      ['traits', value(ref(TRAITS))],
      ['pLLM', value(ref(PLLM))],
      ['genesis', value(ref(GENESIS))],
    ],
    TRAIT_PRIMITIVES.map((name): [string, Slot] => [name, { kind: 'primitive', name }]),
    [inheritsTraits, ['status', value('no model loaded')]],
    [inheritsTraits],
  ];
}
