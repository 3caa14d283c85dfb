/**
 * Values that live in slots.
 *
 * A {@link Value} is plain JSON in which an object reference may appear anywhere as
 * `{ "$ref": oid }`. Keeping references inside ordinary JSON lets a value cross a worker
 * boundary, be stored as text and be scanned for references without a custom codec.
 */

/** An object id. The root is 0; oids are never reused. */
export type Oid = number;

/** A reference to another object. The key `$ref` is reserved for this and nothing else. */
export interface Ref {
  readonly $ref: Oid;
}

export type Value = null | boolean | number | string | Ref | Value[] | { [key: string]: Value };

/** What a slot holds: a value, a method (JavaScript source run in the sandbox) or a primitive. */
export type Slot =
  | { readonly kind: 'value'; readonly value: Value }
  | { readonly kind: 'method'; readonly source: string; readonly provenance?: MethodProvenance }
  | { readonly kind: 'primitive'; readonly name: string };

/** An object: its slots by name, in slot order. */
export type SlotMap = ReadonlyMap<string, Slot>;

/** Where a method came from: written by hand, or by the mind (with what model and prompt). */
export interface MethodProvenance {
  readonly author: 'human' | 'model';
  readonly by: string;
  readonly at: string;
  readonly model?: string;
  readonly promptHash?: string;
  /**
   * Whose authority the method runs with: the owner of the object it was defined on, when
   * it was defined. Absent in images made before owners: then the holder's owner.
   */
  readonly owner?: string;
  /** Written by the model for someone who does not own its object: it may only read. */
  readonly readOnly?: boolean;
  /**
   * A copy of a method the image already had, made instead of writing one: where it was
   * copied from, for whom and when (`by` and `at` above stay the original's).
   */
  readonly copiedFrom?: {
    readonly oid: Oid;
    readonly selector: string;
    readonly for: string;
    readonly at: string;
  };
  /**
   * Written by the model to repair the version before it, which kept failing when sent
   * (see `core/uvm/method-repair.ts`); set only then.
   */
  readonly repair?: true;
  /**
   * The examples the model wrote with the method (arguments → expected result): run before
   * it was kept, and again on any repair of it. Its checks.
   */
  readonly examples?: readonly MethodExample[];
}

/** A call of a method and what it must return: `double [21] => 42`. */
export interface MethodExample {
  readonly args: readonly Value[];
  readonly result: Value;
}

/** The name of the slot that holds an object's parent (one reference or a list of them). */
export const PARENT_SLOT = 'parent*';

/**
 * Whether a slot is BAT OS's own (`owner*`, `access*`, `readers*`, the root's
 * `conversations*`…): a name ending in `*` other than `parent*`, which no message can name,
 * and which listings leave out.
 */
export function isHiddenSlot(name: string): boolean {
  return name.endsWith('*') && name !== PARENT_SLOT;
}

export function ref(oid: Oid): Ref {
  return { $ref: oid };
}

export function isRef(value: unknown): value is Ref {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { $ref?: unknown }).$ref === 'number' &&
    Object.keys(value).length === 1
  );
}

/**
 * Every oid referenced anywhere inside a value, in order of appearance, without repeats.
 * Iterative, so no value is too deep for the stack.
 */
export function referencedOids(value: Value, into: Set<Oid> = new Set()): Set<Oid> {
  const pending: Value[] = [value];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (isRef(item)) into.add(item.$ref);
    else {
      const children = Array.isArray(item) ? item : Object.values(item);
      for (let i = children.length - 1; i >= 0; i -= 1) pending.push(children[i]!);
    }
  }
  return into;
}

/** The deepest nesting of arrays and objects a value may have, unless configured otherwise. */
export const DEFAULT_MAX_DEPTH = 32;

/** How deep a value nests (a scalar is 0, `[1]` is 1), counting no further than `stop`. */
export function valueDepth(value: Value, stop: number): number {
  let deepest = 0;
  const pending: Array<[Value, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object' || isRef(item)) continue;
    const inner = depth + 1;
    if (inner > deepest) deepest = inner;
    if (deepest > stop) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item))
      pending.push([child, inner]);
  }
  return deepest;
}

/**
 * The value cut at `maxDepth`: what nests deeper becomes the string `…`. Values stored since
 * quotas cannot nest deeper, but older images may hold one; rendering must not overflow.
 */
export function truncateDepth(value: Value, maxDepth: number): Value {
  if (valueDepth(value, maxDepth) <= maxDepth) return value;
  const cut = (item: Value, depth: number): Value => {
    if (item === null || typeof item !== 'object' || isRef(item)) return item;
    if (depth >= maxDepth) return '…';
    if (Array.isArray(item)) return item.map((child) => cut(child, depth + 1));
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, cut(v, depth + 1)]));
  };
  return cut(value, 0);
}

/** The parents named by a `parent*` slot value: one reference or a list; anything else names none. */
export function parentOids(value: Value | undefined): Oid[] {
  if (value === undefined) return [];
  if (isRef(value)) return [value.$ref];
  if (Array.isArray(value)) return value.filter(isRef).map((r) => r.$ref);
  return [];
}

export function slotEquals(a: Slot | undefined, b: Slot | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
