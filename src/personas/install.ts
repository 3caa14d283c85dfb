/**
 * Putting the codex into the image: a persona prototype and one object per persona, each
 * named in the root table. Runs at every start and creates only what is missing, so edits
 * made from chat are never overwritten.
 */
import { LAST_AUDIT_SLOT } from '../core/model/audit-summary.ts';
import { ACCESS_SLOT, accessOf, flagsOf } from '../core/model/object-access.ts';
import { SYSTEM } from '../core/model/principal.ts';
import type { Transaction, TransactionInfo } from '../core/image/index.ts';
import { ROOT, TRAITS } from '../core/model/primordial.ts';
import { PARENT_SLOT, ref, type Oid, type Slot, type Value } from '../core/model/value.ts';
import { namedObject } from '../core/model/name-table.ts';
import { isSystemPrivate, systemObject } from '../core/uvm/system-objects.ts';
import { CONVERSATIONS_SLOT, LEGACY_CONVERSATIONS_NAME } from './threads.ts';
import type { Uvm } from '../core/uvm/uvm.ts';
import { PERSONA_CODEX, type PersonaSpec } from './codex.ts';
import { AUDITOR } from './names.ts';
import { installAuditRecord } from './audit-record.ts';
import { AUDIT_PRIMITIVE, DESCRIBE_PRIMITIVE, LAST_AUDIT_PRIMITIVE } from './primitives.ts';
import { PERSONA_PROTOTYPE_NAME } from './records.ts';

const value = (v: Value): Slot => ({ kind: 'value', value: v });

/** Personas and their prototype: anyone may read them and talk to them; nobody else derives one. */
const PERSONA_FLAGS = 'r';

/** What {@link installPersonas} created; empty on every start after the first. */
export interface InstalledPersonas {
  readonly created: readonly string[];
}

/**
 * Creates, if missing, the persona prototype (root name `persona`, parent traits, with a
 * `describe` that tells whether the adapter file is there) and the four personas (root
 * names `robin`, `brick`, `babs`, `alfred`; slots name, aliases, role, voice, adapter,
 * scale; ALFRED also `auditPersistence` and `lastAudit`). An existing object's slots are left
 * as they are, but an older ALFRED's audit summary moves to the system's private audit record
 * (see `installAuditRecord`), personas are made by admins only, so the prototype and the personas are readable and
 * never fertile (an image from before this rule loses their `f` flag), and the threads an
 * older image kept under the root name `conversations` move to the hidden
 * `conversations*`, where no member can claim them.
 */
export async function installPersonas(uvm: Uvm, info: TransactionInfo): Promise<InstalledPersonas> {
  const { result } = await uvm.asSystem(info, (tx) => {
    const created: string[] = [];
    let prototype = namedObject(tx, PERSONA_PROTOTYPE_NAME);
    if (prototype === undefined || !tx.exists(prototype)) {
      prototype = tx.create([
        [PARENT_SLOT, value(ref(TRAITS))],
        [ACCESS_SLOT, value(PERSONA_FLAGS)],
        ['describe', { kind: 'primitive', name: DESCRIBE_PRIMITIVE }],
      ]);
      tx.setSlot(ROOT, PERSONA_PROTOTYPE_NAME, value(ref(prototype)));
      created.push(PERSONA_PROTOTYPE_NAME);
    }
    notFertile(tx, prototype);
    for (const spec of PERSONA_CODEX) {
      const rootName = spec.name.toLowerCase();
      const existing = namedObject(tx, rootName);
      const kept = existing !== undefined && tx.exists(existing);
      const oid = kept ? existing : tx.create(personaSlots(spec, prototype));
      if (kept) notFertile(tx, oid);
      else {
        tx.setSlot(ROOT, rootName, value(ref(oid)));
        created.push(rootName);
      }
      if (spec.name === AUDITOR) installAuditRecord(tx, oid);
    }
    moveLegacyConversations(tx);
    return created;
  });
  return { created: result };
}

/** Takes the `f` flag from a system object, so no member can derive from it. */
function notFertile(tx: Transaction, oid: Oid): void {
  const access = accessOf(tx.slots(oid));
  if (access.owner === SYSTEM && access.fertile)
    tx.setSlot(oid, ACCESS_SLOT, value(flagsOf({ ...access, fertile: false })));
}

/** Moves an older image's threads from the root name `conversations` to `conversations*`. */
function moveLegacyConversations(tx: Transaction): void {
  if (systemObject(tx, CONVERSATIONS_SLOT) !== undefined) return;
  const legacy = namedObject(tx, LEGACY_CONVERSATIONS_NAME);
  // A member's object of that name is theirs: the system no longer looks for threads there.
  if (legacy === undefined || !isSystemPrivate(tx, legacy)) return;
  tx.setSlot(ROOT, CONVERSATIONS_SLOT, value(ref(legacy)));
  tx.removeSlot(ROOT, LEGACY_CONVERSATIONS_NAME);
}

function personaSlots(spec: PersonaSpec, prototype: number): Array<[string, Slot]> {
  return [
    [PARENT_SLOT, value(ref(prototype))],
    [ACCESS_SLOT, value(PERSONA_FLAGS)],
    ['name', value(spec.name)],
    ['aliases', value([...spec.aliases])],
    ['role', value(spec.role)],
    ['voice', value(spec.voice)],
    ['adapter', value(spec.adapter)],
    ['scale', value(spec.scale)],
    ...(spec.name === AUDITOR
      ? ([
          ['auditPersistence', { kind: 'primitive', name: AUDIT_PRIMITIVE }],
          [LAST_AUDIT_SLOT, { kind: 'primitive', name: LAST_AUDIT_PRIMITIVE }],
        ] as Array<[string, Slot]>)
      : []),
  ];
}
