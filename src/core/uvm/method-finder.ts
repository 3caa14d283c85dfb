/**
 * Finding the methods the image already has (the image's method index), only ever among
 * those the asker may read: `implementors` and `senders` list them, and before the model
 * writes a missing method, an exact implementor is copied instead, or the nearest methods go
 * into the model's prompt as examples.
 *
 * What is copied or shown to the model comes from an object everyone may read, or one the
 * sender owns: BAT OS never carries someone else's private code (which only an admin or a
 * thread's reader could see) into a method that others may then read.
 */
import type { Authority } from '../access/authority.ts';
import { mayRead } from '../access/rights.ts';
import { findWrites } from '../analysis/index.ts';
import {
  NEAREST_RANKED,
  type Image,
  type IndexedMethod,
  type MethodPlace,
  type SendersPage,
  type Transaction,
} from '../image/index.ts';
import { labelOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import type { MethodProvenance } from '../model/value.ts';
import { versionOrigin } from './method-versions.ts';
import type { MethodRequest, WrittenMethod } from './method-writer.ts';

/** Index rows read per search, before those the asker may not read are left out. */
export const METHODS_SEARCHED = 500;
/**
 * The most index rows read for one asker's `implementors` or `senders`, page by page: others'
 * methods the asker may not read are passed over, so a crowd of them hides nothing before
 * this many, at a bounded cost.
 */
const METHODS_READ = 10 * METHODS_SEARCHED;
/** Methods a listing shows. */
const METHODS_SHOWN = 20;
/** Nearest methods the model is shown as examples. */
export const EXAMPLES = 3;
/**
 * Nearest methods read from the index first, of which the first {@link EXAMPLES} shareable
 * are shown; when fewer are, all the search ranks ({@link NEAREST_RANKED}) are read.
 */
export const NEAREST_SEARCHED = 12;

/** The methods in `methods` that `authority` may read (on objects that still exist). */
export function readableMethods(
  tx: Transaction,
  authority: Authority,
  methods: readonly IndexedMethod[],
): IndexedMethod[] {
  return methods.filter((m) => tx.exists(m.oid) && mayRead(authority, accessOf(tx.slots(m.oid))));
}

/** One page of an index search: the methods found on it, how many rows it read, the last. */
type Page = Pick<SendersPage, 'read' | 'last'> & { readonly methods: IndexedMethod[] };

/**
 * The methods that `authority` may read and `wanted` keeps among the pages `pageAfter` reads
 * ({@link METHODS_SEARCHED} rows each, from just past a place), in order, at most
 * {@link METHODS_SEARCHED}: page after page, past those left out, until there are that many,
 * the pages end, or {@link METHODS_READ} rows have been read.
 */
async function readablePaged(
  tx: Transaction,
  authority: Authority,
  pageAfter: (after: MethodPlace | undefined) => Promise<Page>,
  wanted: (method: IndexedMethod) => boolean,
): Promise<IndexedMethod[]> {
  const found: IndexedMethod[] = [];
  let after: MethodPlace | undefined;
  for (let read = 0; read < METHODS_READ && found.length < METHODS_SEARCHED;) {
    const page = await pageAfter(after);
    found.push(...readableMethods(tx, authority, page.methods).filter(wanted));
    read += page.read;
    after = page.last;
    if (page.read < METHODS_SEARCHED) break;
  }
  return found.slice(0, METHODS_SEARCHED);
}

/**
 * The methods that answer `selector` which `authority` may read and `wanted` keeps, in oid
 * order, at most {@link METHODS_SEARCHED}, read past a crowd the asker may not read (up to
 * {@link METHODS_READ} rows).
 */
export function readableImplementors(
  image: Image,
  tx: Transaction,
  authority: Authority,
  selector: string,
  wanted: (method: IndexedMethod) => boolean = () => true,
): Promise<IndexedMethod[]> {
  return readablePaged(
    tx,
    authority,
    async (after) => {
      const methods = await image.implementors(selector, METHODS_SEARCHED, after);
      return { methods, read: methods.length, last: methods.at(-1) };
    },
    wanted,
  );
}

/**
 * The methods that send `selector` which `authority` may read, in oid order, at most
 * {@link METHODS_SEARCHED}, read past a crowd of candidates the asker may not read or that
 * turn out not to send it (up to {@link METHODS_READ} rows).
 */
export function readableSenders(
  image: Image,
  tx: Transaction,
  authority: Authority,
  selector: string,
): Promise<IndexedMethod[]> {
  return readablePaged(
    tx,
    authority,
    async (after) => {
      const page = await image.senders(selector, METHODS_SEARCHED, after);
      return { ...page, methods: page.senders };
    },
    () => true,
  );
}

/** A method's place and origin in one line: `#3 genesis greet · by hand, console:ada — doc`. */
function methodLine(tx: Transaction, method: IndexedMethod): string {
  const kept = method.slot === method.selector ? '' : ` (kept for ${method.slot.split(' ')[0]})`;
  const by = method.provenance === undefined ? '' : `, ${method.provenance.by}`;
  const doc = method.doc === '' ? '' : ` — ${method.doc}`;
  return `${labelOf(tx, method.oid)} ${method.selector}${kept} · ${versionOrigin(method.provenance)}${by}${doc}`;
}

/**
 * `implementors`' and `senders`' answer: the methods found that `verb` (`answer`, `send`)
 * `selector`, as many as are shown, or that there are none.
 */
export function methodListText(
  tx: Transaction,
  verb: 'answer' | 'send',
  selector: string,
  methods: readonly IndexedMethod[],
): string {
  if (methods.length === 0) return `No method you may read ${verb}s ${selector}.`;
  const lines = [
    methods.length === 1
      ? `1 method you may read ${verb}s ${selector}:`
      : `${methods.length} methods you may read ${verb} ${selector}:`,
    ...methods.slice(0, METHODS_SHOWN).map((m) => methodLine(tx, m)),
  ];
  if (methods.length > METHODS_SHOWN) lines.push(`… and ${methods.length - METHODS_SHOWN} more.`);
  return lines.join('\n');
}

/** A method found for a request, and what installing its copy keeps. */
export interface Reuse {
  readonly from: IndexedMethod;
  /** How the reply names it: `#7 gadget foo (by console:alice)`. */
  readonly label: string;
  readonly method: WrittenMethod;
}

/** What the image already has for a method about to be written. */
export type Found =
  { readonly reuse: Reuse } | { readonly examples: NonNullable<MethodRequest['examples']> };

/**
 * Before the model writes `needed`: an exact implementor the sender may read, to copy (the
 * sender's own first, then by oid; for a read-only request only one that writes nothing),
 * else the {@link EXAMPLES} nearest methods by full-text rank on the selector and the
 * sender's words, as examples.
 */
export async function findBeforeWriting(
  image: Image,
  tx: Transaction,
  authority: Authority,
  needed: MethodRequest,
): Promise<Found> {
  const shareable = (m: IndexedMethod) => {
    const access = accessOf(tx.slots(m.oid));
    return access.readable || access.owner === authority.principal;
  };
  const own = (m: IndexedMethod) =>
    accessOf(tx.slots(m.oid)).owner === authority.principal ? 0 : 1;
  const [implementor] = (
    await readableImplementors(
      image,
      tx,
      authority,
      needed.selector,
      (m) => shareable(m) && (!needed.readOnly || findWrites(m.source).length === 0),
    )
  ).sort((a, b) => own(a) - own(b) || a.oid - b.oid);
  if (implementor !== undefined) return { reuse: reuseOf(tx, implementor, needed.requestedBy) };
  const words = `${needed.selector} ${needed.words ?? ''}`;
  const first = await image.nearestMethods(words, NEAREST_SEARCHED);
  let near = readableMethods(tx, authority, first).filter(shareable);
  // Others' methods the sender may not share can crowd the first ranks: then all that the
  // search ranks are read, so they hide nothing among those.
  if (near.length < EXAMPLES && first.length === NEAREST_SEARCHED)
    near = readableMethods(tx, authority, await image.nearestMethods(words, NEAREST_RANKED)).filter(
      shareable,
    );
  return {
    examples: near.slice(0, EXAMPLES).map((m) => ({
      label: `${labelOf(tx, m.oid)} ${m.selector}`,
      source: m.source,
    })),
  };
}

/** The provenance of a method from before provenance was kept. */
const UNKNOWN: MethodProvenance = { author: 'human', by: 'unknown', at: '' };

/** A copy of `from` for `requester`, with where it came from in its provenance. */
function reuseOf(tx: Transaction, from: IndexedMethod, requester: string): Reuse {
  const at = new Date().toISOString();
  // Who wrote it, when and with what; whose authority it runs with is the installer's to set.
  const { author, by, at: written, model, promptHash } = from.provenance ?? UNKNOWN;
  const original: MethodProvenance = {
    author,
    by,
    at: written,
    ...(model === undefined ? {} : { model }),
    ...(promptHash === undefined ? {} : { promptHash }),
  };
  return {
    from,
    label: `${labelOf(tx, from.oid)} ${from.selector} (${versionOrigin(from.provenance)}${from.provenance === undefined ? '' : `, ${from.provenance.by}`})`,
    method: {
      source: from.source,
      provenance: {
        ...original,
        copiedFrom: { oid: from.oid, selector: from.selector, for: requester, at },
      },
    },
  };
}
