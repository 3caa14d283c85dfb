/** How values read in a reply. */
import { isRef, type Oid, type Value } from './value.ts';

/** Names an object for people: `#3 genesis`, or `#7` when it has no name. */
export function objectLabel(oid: Oid, name: string | null | undefined): string {
  return name ? `#${oid} ${name}` : `#${oid}`;
}

/**
 * A value as a reply shows it: strings as they are (a method's prose answer reads as
 * prose), references by label, everything else as JSON.
 */
export function renderValue(value: Value | undefined, nameOf: (oid: Oid) => string | null): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return value;
  if (isRef(value)) return objectLabel(value.$ref, nameOf(value.$ref));
  return JSON.stringify(value, (_key, v: unknown) =>
    isRef(v) ? `<${objectLabel(v.$ref, nameOf(v.$ref))}>` : v,
  );
}

/** A value inside a sentence: strings quoted, so `"blue"` and `blue` differ visibly. */
export function quoteValue(value: Value | undefined, nameOf: (oid: Oid) => string | null): string {
  return typeof value === 'string' ? JSON.stringify(value) : renderValue(value, nameOf);
}
