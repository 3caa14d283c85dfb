/**
 * An object as data, for the image browser's object page: what `describe`, `methodSource`
 * and `versions` say in chat, in one piece — its slots with their values, its methods with
 * source, provenance and recorded versions, its parents and children, owner and flags. The caller must
 * be allowed to read it (`Uvm.inspect` checks, as a send to it would).
 */
import type { HistoryEntry, Transaction } from '../image/index.ts';
import { labelOf, nameOf } from '../model/name-table.ts';
import { accessOf, describeAccess, flagsOf } from '../model/object-access.ts';
import { quoteValue } from '../model/render.ts';
import {
  isHiddenSlot,
  PARENT_SLOT,
  parentOids,
  referencedOids,
  type MethodProvenance,
  type Oid,
  type Slot,
} from '../model/value.ts';
import { methodVersions, versionOrigin } from './method-versions.ts';

/** An object another one names, with the label chat gives it. */
export interface ObjectLink {
  readonly oid: Oid;
  readonly label: string;
}

/** One page of children, and where the next begins (absent on the last page). */
export interface ChildrenPage {
  readonly links: readonly ObjectLink[];
  /** Give it as `after` for the next page. */
  readonly next?: Oid;
}

/** One recorded version of a method (numbered from 1, oldest first, as `versions` numbers). */
export interface VersionView {
  readonly n: number;
  readonly tx: number;
  readonly at: string;
  readonly who: string;
  /** `by hand`, or the model that wrote it. */
  readonly origin: string;
  readonly source: string;
  readonly current: boolean;
}

/** One slot of an object, as the page shows it. */
export type SlotView =
  | {
      readonly kind: 'value';
      readonly name: string;
      /** The value as chat quotes it: strings quoted, references by label. */
      readonly text: string;
      /** The objects the value refers to. */
      readonly refs: readonly ObjectLink[];
    }
  | {
      readonly kind: 'method';
      readonly name: string;
      readonly source: string;
      readonly provenance?: MethodProvenance;
      readonly versions: readonly VersionView[];
    }
  | { readonly kind: 'primitive'; readonly name: string; readonly primitive: string };

/** What the object page shows of one object. */
export interface ObjectView {
  readonly oid: Oid;
  readonly label: string;
  readonly name: string | null;
  readonly owner: string;
  /** `rwf`, `rf`, `` … as `chmod` sets them. */
  readonly flags: string;
  /** Who may do what, in the words `describe` uses. */
  readonly access: string;
  readonly parents: readonly ObjectLink[];
  /** The objects whose parent it is that the reader may read, a page of them. */
  readonly children: ChildrenPage;
  readonly slots: readonly SlotView[];
}

/**
 * `oid` as data, read in `tx`; `entries` is the object's history (newest first), where its
 * methods' versions are found, and `children` the page of its children the reader may read.
 */
export function inspectObject(
  tx: Transaction,
  oid: Oid,
  entries: readonly HistoryEntry[],
  children: ChildrenPage,
): ObjectView {
  const slots = tx.slots(oid) ?? new Map<string, Slot>();
  const access = accessOf(slots);
  const link = (target: Oid): ObjectLink => ({ oid: target, label: labelOf(tx, target) });
  const parent = slots.get(PARENT_SLOT);
  return {
    oid,
    label: labelOf(tx, oid),
    name: nameOf(tx, oid),
    owner: access.owner,
    flags: flagsOf(access),
    access: describeAccess(access),
    parents: parent?.kind === 'value' ? parentOids(parent.value).map(link) : [],
    children,
    slots: [...slots]
      .filter(([name]) => !isHiddenSlot(name))
      .map(([name, slot]): SlotView => {
        if (slot.kind === 'primitive') return { kind: 'primitive', name, primitive: slot.name };
        if (slot.kind === 'value')
          return {
            kind: 'value',
            name,
            text: quoteValue(slot.value, (o) => nameOf(tx, o)),
            refs: [...referencedOids(slot.value)].map(link),
          };
        const versions = methodVersions(entries, oid, name).map((version, i) => ({
          n: i + 1,
          tx: version.tx,
          at: version.at,
          who: version.who,
          origin: versionOrigin(version.slot.provenance),
          source: version.slot.source,
          current: version.slot.source === slot.source,
        }));
        return {
          kind: 'method',
          name,
          source: slot.source,
          ...(slot.provenance === undefined ? {} : { provenance: slot.provenance }),
          versions,
        };
      }),
  };
}
