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
}

/** The name of the slot that holds an object's parent (one reference or a list of them). */
export const PARENT_SLOT = 'parent*';

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

/** Every oid referenced anywhere inside a value, in order of appearance, without repeats. */
export function referencedOids(value: Value, into: Set<Oid> = new Set()): Set<Oid> {
  if (value === null || typeof value !== 'object') return into;
  if (isRef(value)) {
    into.add(value.$ref);
  } else if (Array.isArray(value)) {
    for (const item of value) referencedOids(item, into);
  } else {
    for (const item of Object.values(value)) referencedOids(item, into);
  }
  return into;
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
