/**
 * Putting the codex into the image: a persona prototype and one object per persona, each
 * named in the root table. Runs at every start and creates only what is missing, so edits
 * made from chat are never overwritten.
 */
import type { TransactionInfo } from '../core/image/index.ts';
import { ROOT, TRAITS } from '../core/model/primordial.ts';
import { PARENT_SLOT, ref, type Slot, type Value } from '../core/model/value.ts';
import { namedObject } from '../core/uvm/names.ts';
import type { Uvm } from '../core/uvm/uvm.ts';
import { PERSONA_CODEX, type PersonaSpec } from './codex.ts';
import { AUDIT_PRIMITIVE, DESCRIBE_PRIMITIVE } from './primitives.ts';
import { PERSONA_PROTOTYPE_NAME } from './records.ts';

const value = (v: Value): Slot => ({ kind: 'value', value: v });

/** The persona that keeps the image and holds the audit. */
const AUDITOR = 'ALFRED';

/** What {@link installPersonas} created; empty on every start after the first. */
export interface InstalledPersonas {
  readonly created: readonly string[];
}

/**
 * Creates, if missing, the persona prototype (root name `persona`, parent traits, with a
 * `describe` that tells whether the adapter file is there) and the four personas (root
 * names `robin`, `brick`, `babs`, `alfred`; slots name, aliases, role, voice, adapter,
 * scale; ALFRED also `auditPersistence`). An existing object is left exactly as it is.
 */
export async function installPersonas(uvm: Uvm, info: TransactionInfo): Promise<InstalledPersonas> {
  const { result } = await uvm.exclusive(info, (tx) => {
    const created: string[] = [];
    let prototype = namedObject(tx, PERSONA_PROTOTYPE_NAME);
    if (prototype === undefined || !tx.exists(prototype)) {
      prototype = tx.create([
        [PARENT_SLOT, value(ref(TRAITS))],
        ['describe', { kind: 'primitive', name: DESCRIBE_PRIMITIVE }],
      ]);
      tx.setSlot(ROOT, PERSONA_PROTOTYPE_NAME, value(ref(prototype)));
      created.push(PERSONA_PROTOTYPE_NAME);
    }
    for (const spec of PERSONA_CODEX) {
      const rootName = spec.name.toLowerCase();
      const existing = namedObject(tx, rootName);
      if (existing !== undefined && tx.exists(existing)) continue;
      const oid = tx.create(personaSlots(spec, prototype));
      tx.setSlot(ROOT, rootName, value(ref(oid)));
      created.push(rootName);
    }
    return created;
  });
  return { created: result };
}

function personaSlots(spec: PersonaSpec, prototype: number): Array<[string, Slot]> {
  return [
    [PARENT_SLOT, value(ref(prototype))],
    ['name', value(spec.name)],
    ['aliases', value([...spec.aliases])],
    ['role', value(spec.role)],
    ['voice', value(spec.voice)],
    ['adapter', value(spec.adapter)],
    ['scale', value(spec.scale)],
    ...(spec.name === AUDITOR
      ? [['auditPersistence', { kind: 'primitive', name: AUDIT_PRIMITIVE }] as [string, Slot]]
      : []),
  ];
}
