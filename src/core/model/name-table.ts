/** The root object is the name table: each of its reference slots names an object. */
import { ROOT } from './primordial.ts';
import { objectLabel } from './render.ts';
import { isRef, type Oid, type SlotMap } from './value.ts';

/** What reading names needs: objects' slots (a transaction, or the committed image). */
export interface ObjectReader {
  slots(oid: Oid): SlotMap | undefined;
}

/** The object a name stands for, or `undefined`. */
export function namedObject(objects: ObjectReader, name: string): Oid | undefined {
  if (name === 'root') return ROOT;
  const slot = objects.slots(ROOT)?.get(name);
  return slot?.kind === 'value' && isRef(slot.value) ? slot.value.$ref : undefined;
}

/** The first name the root table gives an object, or null. */
export function nameOf(objects: ObjectReader, oid: Oid): string | null {
  if (oid === ROOT) return 'root';
  for (const [name, slot] of objects.slots(ROOT) ?? [])
    if (
      !name.endsWith('*') &&
      slot.kind === 'value' &&
      isRef(slot.value) &&
      slot.value.$ref === oid
    )
      return name;
  return null;
}

/** An object as replies name it: `#3 genesis`, or `#7` when it has no name. */
export function labelOf(objects: ObjectReader, oid: Oid): string {
  return objectLabel(oid, nameOf(objects, oid));
}
