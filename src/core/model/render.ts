/** How values read in a reply. */
import { DEFAULT_MAX_DEPTH, isRef, truncateDepth, type Oid, type Value } from './value.ts';

/** Names an object for people: `#3 genesis`, or `#7` when it has no name. */
export function objectLabel(oid: Oid, name: string | null | undefined): string {
  return name ? `#${oid} ${name}` : `#${oid}`;
}

/**
 * A value as a reply shows it: strings as they are (a method's prose answer reads as
 * prose), references by label, everything else as JSON — cut at `maxDepth`, the one
 * nesting limit (`BATOS_MAX_DEPTH`).
 */
export function renderValue(
  value: Value | undefined,
  nameOf: (oid: Oid) => string | null,
  maxDepth = DEFAULT_MAX_DEPTH,
): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return value;
  if (isRef(value)) return objectLabel(value.$ref, nameOf(value.$ref));
  return JSON.stringify(truncateDepth(value, maxDepth), (_key, v: unknown) =>
    isRef(v) ? `<${objectLabel(v.$ref, nameOf(v.$ref))}>` : v,
  );
}

/** A value inside a sentence: strings quoted, so `"blue"` and `blue` differ visibly. */
export function quoteValue(
  value: Value | undefined,
  nameOf: (oid: Oid) => string | null,
  maxDepth = DEFAULT_MAX_DEPTH,
): string {
  return typeof value === 'string' ? JSON.stringify(value) : renderValue(value, nameOf, maxDepth);
}
