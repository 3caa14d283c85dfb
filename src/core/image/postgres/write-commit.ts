/**
 * The commits of one or more sends as one prepared statement, so sends whose commits are
 * ready together cost one round trip, one implicit transaction and one WAL flush between
 * them, however many objects and changes each wrote. Each send is still its own transaction
 * in meaning: its own history row, its own checks, and its own answer.
 *
 * The checks (`batos_check_commits`: the commit gate, the row locks of every send in oid
 * order, each send's versions read and next free oid) answer a row per send with its
 * problem, or none; only the sends that passed get a transaction id (`ids`), and every part
 * after the checks writes only theirs: the transaction rows, their authors' bytes for the
 * day, their objects (each object's version set to its send's transaction id), their
 * history, the undone marks, the next free oid, the method index and the change notices, as
 * data-modifying parts of one query. A send that failed its check is reported to it alone
 * (`conflict`) and wrote nothing. {@link formBatch} keeps sends that touch the same objects
 * out of one statement, so no send's check depends on another's write in the same batch.
 *
 * Values travel as typed arrays, one per column, with each row's send number (from 1) beside
 * the rows of sends that write several; each is encoded once by the driver and parsed once
 * by the server. A part only some batches need (creating objects, an undo, the method index,
 * the change notices of a process not alone over the image) is left out of the statement of
 * a batch that does not, so the common commit binds, runs and returns less on both sides;
 * each such set of parts is its own prepared statement. To
 * write something more in every commit, add a {@link Part} to {@link PARTS} (and the value it
 * needs to `CommitRecord`).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { historyDay } from '../history.ts';
import type { MethodIndexChanges } from '../method-index.ts';
import type { ParentLinkChanges } from '../parent-links.ts';
import type { CommitRecord } from '../store.ts';
import { CHANGES_CHANNEL } from './change-feed.ts';

/** One send's commit: its record and its change notice. */
export interface CommitContext {
  readonly record: CommitRecord;
  readonly notice: string;
}

/** Sends committed together, and how they pass the gates (the same for all of them). */
export interface BatchContext {
  readonly sends: readonly CommitContext[];
  /**
   * Whether this process holds the image alone (see change-feed.ts): its commits then
   * neither take the sole lock in shared mode nor send change notices, which no other
   * process is there to hear.
   */
  readonly alone: boolean;
  readonly sole: readonly [number, number];
  /** Take the commit gate in shared mode (false while this process holds it alone). */
  readonly passGate: boolean;
  readonly gate: readonly [number, number];
}

/** What the statement did for one send. */
export type Written =
  | {
      /** The new transaction's id. */
      readonly tx: number;
      /** Its author's bytes added to history on its day, this commit's included. */
      readonly addedToday: number;
    }
  /** Why its check failed: what it read changed, or its new oids were taken. */
  | { readonly conflict: string };

/** One parameter of the statement: its name in the parts' text, its type, its value. */
type Param = readonly [name: string, type: string, value: (b: BatchContext) => unknown];

/** One part of the statement: `name AS (sql)`, with `:param` placeholders. */
interface Part {
  readonly name: string;
  readonly sql: string;
  readonly params: readonly Param[];
  /**
   * Whether a batch needs this part; absent: every batch does. A batch that does not runs a
   * statement without it (most sends create nothing, undo nothing and change no method, and
   * a process alone notifies nobody), so neither side binds, plans or runs what does nothing.
   */
  readonly neededBy?: (b: BatchContext) => boolean;
}

/** A part some send of the batch needs, by `needs`. */
const anySend =
  (needs: (r: CommitRecord) => boolean) =>
  (b: BatchContext): boolean =>
    b.sends.some((c) => needs(c.record));

const NO_METHOD_CHANGES: MethodIndexChanges = { upsert: [], remove: [] };
const methodIndex = (r: CommitRecord) => r.methodIndex ?? NO_METHOD_CHANGES;
const NO_LINK_CHANGES: ParentLinkChanges = { add: [], remove: [] };
const parentLinks = (r: CommitRecord) => r.parentLinks ?? NO_LINK_CHANGES;

/** One value per send, in send order. */
const perSend =
  (value: (c: CommitContext) => unknown) =>
  (b: BatchContext): unknown[] =>
    b.sends.map(value);
/** The rows `rows` gives each send, one after another, as one column. */
const perRow =
  <R>(rows: (r: CommitRecord) => readonly R[], value: (row: R) => unknown) =>
  (b: BatchContext): unknown[] =>
    b.sends.flatMap((c) => rows(c.record).map(value));
/** Beside {@link perRow}'s columns: the number (from 1) of the send each row belongs to. */
const sendOf =
  <R>(rows: (r: CommitRecord) => readonly R[]) =>
  (b: BatchContext): number[] =>
    b.sends.flatMap((c, index) => rows(c.record).map(() => index + 1));

const objectRows = (r: CommitRecord) => r.objects;
const changeRows = (r: CommitRecord) => r.changes;
const readRows = (r: CommitRecord) => [...r.reads];
const readOnlyRows = (r: CommitRecord) => readOnly(r);
const upserts = (r: CommitRecord) => methodIndex(r).upsert;
const removals = (r: CommitRecord) => methodIndex(r).remove;
const linked = (r: CommitRecord) => parentLinks(r).add;
const unlinked = (r: CommitRecord) => parentLinks(r).remove;
const info = (c: CommitContext) => c.record.transaction;

const PARTS: readonly Part[] = [
  {
    name: 'checked',
    sql: `SELECT * FROM batos_check_commits(:pass_sole, :sole_a, :sole_b, :pass_gate, :gate_a,
            :gate_b, :object_oids, :read_only, :read_sends, :read_oids, :read_versions,
            :next_froms)`,
    params: [
      ['pass_sole', 'boolean', (b) => !b.alone],
      ['sole_a', 'integer', (b) => b.sole[0]],
      ['sole_b', 'integer', (b) => b.sole[1]],
      ['pass_gate', 'boolean', (b) => b.passGate],
      ['gate_a', 'integer', (b) => b.gate[0]],
      ['gate_b', 'integer', (b) => b.gate[1]],
      ['object_oids', 'integer[]', perRow(objectRows, (o) => o.oid)],
      ['read_only', 'integer[]', perRow(readOnlyRows, (oid) => oid)],
      ['read_sends', 'integer[]', sendOf(readRows)],
      ['read_oids', 'integer[]', perRow(readRows, ([oid]) => oid)],
      ['read_versions', 'integer[]', perRow(readRows, ([, version]) => version)],
      ['next_froms', 'text[]', perSend((c) => nextOid(c.record, 'from'))],
    ],
  },
  {
    // The ids first, so every later part can tell which send a row belongs to (from the
    // sequence PostgreSQL made for the serial transactions.tx).
    name: 'ids',
    sql: `SELECT send, nextval('transactions_tx_seq')::integer AS tx
          FROM checked WHERE problem IS NULL ORDER BY send`,
    params: [],
  },
  {
    name: 't',
    sql: `INSERT INTO transactions (tx, at, who, platform, channel, message, undo_of, private,
                                    ran_as, bytes)
          SELECT ids.tx, x.at, x.who, x.platform, x.channel, x.message, x.undo_of, x.private,
                 x.ran_as, x.bytes
          FROM ids JOIN unnest(:at, :who, :platform, :channel, :message, :undo_of, :private,
                               :ran_as, :bytes) WITH ORDINALITY
            AS x(at, who, platform, channel, message, undo_of, private, ran_as, bytes, send)
            USING (send)
          ORDER BY ids.tx`,
    params: [
      ['at', 'text[]', perSend((c) => info(c).at)],
      ['who', 'text[]', perSend((c) => info(c).who)],
      ['platform', 'text[]', perSend((c) => info(c).platform)],
      ['channel', 'text[]', perSend((c) => info(c).channel)],
      ['message', 'text[]', perSend((c) => info(c).message)],
      ['undo_of', 'integer[]', perSend((c) => info(c).undoOf)],
      ['private', 'integer[]', perSend((c) => (info(c).private ? 1 : 0))],
      ['ran_as', 'text[]', perSend((c) => info(c).ranAs)],
      ['bytes', 'integer[]', perSend((c) => info(c).bytes)],
    ],
  },
  {
    // One row per author and day, however many of their sends are here.
    name: 'h',
    sql: `INSERT INTO history_days (who, day, added, kept)
          SELECT x.who, x.day, sum(x.bytes), sum(x.bytes)
          FROM ids JOIN unnest(:who, :day, :bytes) WITH ORDINALITY AS x(who, day, bytes, send)
            USING (send)
          GROUP BY x.who, x.day
          ON CONFLICT (who, day) DO UPDATE
            SET added = history_days.added + excluded.added,
                kept = history_days.kept + excluded.kept
          RETURNING who, day, added`,
    params: [['day', 'text[]', perSend((c) => historyDay(info(c).at))]],
  },
  {
    name: 'o',
    sql: `INSERT INTO objects (oid, slots, refs, owner, version)
          SELECT x.oid, x.slots, x.refs, x.owner, ids.tx
          FROM ids JOIN unnest(:object_sends, :object_oids, :object_slots, :object_refs,
                               :object_owners) AS x(send, oid, slots, refs, owner)
            USING (send)
          ON CONFLICT (oid) DO UPDATE SET slots = excluded.slots, refs = excluded.refs,
            owner = excluded.owner, version = excluded.version`,
    params: [
      ['object_sends', 'integer[]', sendOf(objectRows)],
      ['object_slots', 'text[]', perRow(objectRows, (o) => o.slots)],
      ['object_refs', 'text[]', perRow(objectRows, (o) => o.refs)],
      ['object_owners', 'text[]', perRow(objectRows, (o) => o.owner)],
    ],
  },
  {
    name: 'c',
    sql: `INSERT INTO changes (tx, seq, oid, slot, before, after, before_index)
          SELECT ids.tx, x.seq, x.oid, x.slot, x.before, x.after, x.before_index
          FROM ids JOIN unnest(:change_sends, :change_seqs, :change_oids, :change_slots,
                               :change_befores, :change_afters, :change_indexes)
            AS x(send, seq, oid, slot, before, after, before_index)
            USING (send)`,
    params: [
      ['change_sends', 'integer[]', sendOf(changeRows)],
      [
        'change_seqs',
        'integer[]',
        (b) => b.sends.flatMap((c) => c.record.changes.map((_, n) => n)),
      ],
      ['change_oids', 'integer[]', perRow(changeRows, (x) => x.oid)],
      ['change_slots', 'text[]', perRow(changeRows, (x) => x.slot)],
      ['change_befores', 'text[]', perRow(changeRows, (x) => x.before)],
      ['change_afters', 'text[]', perRow(changeRows, (x) => x.after)],
      ['change_indexes', 'integer[]', perRow(changeRows, (x) => x.beforeIndex)],
    ],
  },
  {
    name: 'u',
    sql: `UPDATE transactions SET undone_by = ids.tx
          FROM ids JOIN unnest(:undo_of) WITH ORDINALITY AS x(undo_of, send) USING (send)
          WHERE transactions.tx = x.undo_of`,
    params: [],
    neededBy: anySend((r) => r.transaction.undoOf !== null),
  },
  {
    // At most one send of a batch creates objects (see formBatch).
    name: 'm',
    sql: `UPDATE meta SET value = x.next_to
          FROM ids JOIN unnest(:next_tos) WITH ORDINALITY AS x(next_to, send) USING (send)
          WHERE key = 'next_oid' AND x.next_to IS NOT NULL`,
    params: [['next_tos', 'text[]', perSend((c) => nextOid(c.record, 'to'))]],
    neededBy: anySend((r) => r.nextOid !== undefined),
  },
  {
    // The method index (see `../method-index.ts`): empty arrays for the many commits that
    // change no method. A row is removed or set, never both, in one commit; its object exists
    // by the end of the statement, when the foreign key is checked.
    name: 'mi_gone',
    sql: `DELETE FROM methods
          USING ids JOIN unnest(:unindex_sends, :unindex_oids, :unindex_slots)
            AS x(send, oid, slot) USING (send)
          WHERE methods.oid = x.oid AND methods.slot = x.slot`,
    params: [
      ['unindex_sends', 'integer[]', sendOf(removals)],
      ['unindex_oids', 'integer[]', perRow(removals, (m) => m.oid)],
      ['unindex_slots', 'text[]', perRow(removals, (m) => m.slot)],
    ],
    neededBy: anySend((r) => methodIndex(r).remove.length > 0),
  },
  {
    name: 'mi_set',
    sql: `INSERT INTO methods (oid, slot, selector, source, doc, provenance, name_terms,
                               doc_terms, source_terms)
          SELECT x.oid, x.slot, x.selector, x.source, x.doc, x.provenance, x.name_terms,
                 x.doc_terms, x.source_terms
          FROM ids JOIN unnest(:index_sends, :index_oids, :index_slots, :index_selectors,
                               :index_sources, :index_docs, :index_provenances,
                               :index_name_terms, :index_doc_terms, :index_source_terms)
            AS x(send, oid, slot, selector, source, doc, provenance, name_terms, doc_terms,
                 source_terms)
            USING (send)
          ON CONFLICT (oid, slot) DO UPDATE SET selector = excluded.selector,
            source = excluded.source, doc = excluded.doc, provenance = excluded.provenance,
            name_terms = excluded.name_terms, doc_terms = excluded.doc_terms,
            source_terms = excluded.source_terms`,
    params: [
      ['index_sends', 'integer[]', sendOf(upserts)],
      ['index_oids', 'integer[]', perRow(upserts, (m) => m.oid)],
      ['index_slots', 'text[]', perRow(upserts, (m) => m.slot)],
      ['index_selectors', 'text[]', perRow(upserts, (m) => m.selector)],
      ['index_sources', 'text[]', perRow(upserts, (m) => m.source)],
      ['index_docs', 'text[]', perRow(upserts, (m) => m.doc)],
      ['index_provenances', 'text[]', perRow(upserts, (m) => m.provenance)],
      ['index_name_terms', 'text[]', perRow(upserts, (m) => m.nameTerms)],
      ['index_doc_terms', 'text[]', perRow(upserts, (m) => m.docTerms)],
      ['index_source_terms', 'text[]', perRow(upserts, (m) => m.sourceTerms)],
    ],
    neededBy: anySend((r) => methodIndex(r).upsert.length > 0),
  },
  {
    // The parent links (see `../parent-links.ts`), like the method index: empty arrays for
    // the many commits that change no parent slot; a row is added or dropped, never both.
    name: 'pl_gone',
    sql: `DELETE FROM parent_links
          USING ids JOIN unnest(:unlink_sends, :unlink_parents, :unlink_children)
            AS x(send, parent, child) USING (send)
          WHERE parent_links.parent = x.parent AND parent_links.child = x.child`,
    params: [
      ['unlink_sends', 'integer[]', sendOf(unlinked)],
      ['unlink_parents', 'integer[]', perRow(unlinked, (l) => l.parent)],
      ['unlink_children', 'integer[]', perRow(unlinked, (l) => l.child)],
    ],
  },
  {
    name: 'pl_set',
    sql: `INSERT INTO parent_links (parent, child)
          SELECT x.parent, x.child
          FROM ids JOIN unnest(:link_sends, :link_parents, :link_children)
            AS x(send, parent, child) USING (send)
          ON CONFLICT DO NOTHING`,
    params: [
      ['link_sends', 'integer[]', sendOf(linked)],
      ['link_parents', 'integer[]', perRow(linked, (l) => l.parent)],
      ['link_children', 'integer[]', perRow(linked, (l) => l.child)],
    ],
  },
  {
    // Each notice ends with its author's history total for the day, this batch included, so
    // the other processes keep it rather than read it again before that author's next send.
    name: 'n',
    sql: `SELECT pg_notify('${CHANGES_CHANNEL}', x.notice || ' ' || x.day || ' ' || h.added)
          FROM ids JOIN unnest(:notices, :who, :day) WITH ORDINALITY
            AS x(notice, who, day, send) USING (send)
          JOIN h ON h.who = x.who AND h.day = x.day`,
    params: [['notices', 'text[]', perSend((c) => c.notice)]],
    neededBy: (b) => !b.alone,
  },
];

/** A statement's text, its name, and its parameters in `$n` order. */
interface Statement {
  readonly name: string;
  readonly text: string;
  readonly params: readonly Param[];
}

/** The statements made so far, by the parts they leave out (at most one per subset). */
const STATEMENTS = new Map<string, Statement>();

/** The statement for `batch`: every part some send of it needs, compiled once per set. */
function statementFor(batch: BatchContext): Statement {
  const left = PARTS.filter((part) => part.neededBy !== undefined && !part.neededBy(batch));
  const key = left.map((part) => part.name).join(' ');
  let statement = STATEMENTS.get(key);
  if (statement === undefined) {
    statement = compile(PARTS.filter((part) => !left.includes(part)));
    STATEMENTS.set(key, statement);
  }
  return statement;
}

/**
 * Runs the commits of `batch` on a connection of `pool` (one statement, one transaction);
 * what it did for each send, in the batch's order.
 */
export async function writeCommits(pool: pg.Pool, batch: BatchContext): Promise<Written[]> {
  const statement = statementFor(batch);
  const { rows } = await pool.query<{ tx: number | null; added: string | null; problem: string }>({
    name: statement.name,
    text: statement.text,
    values: statement.params.map(([, , value]) => value(batch)),
  });
  return rows.map((row) =>
    row.tx === null ? { conflict: row.problem } : { tx: row.tx, addedToday: Number(row.added) },
  );
}

function compile(parts: readonly Part[]): Statement {
  const params: Param[] = [];
  const placeholder = (name: string): string => {
    let index = params.findIndex(([known]) => known === name);
    if (index < 0) {
      const param = parts.flatMap((p) => p.params).find(([known]) => known === name);
      if (param === undefined) throw new TypeError(`write-commit: no parameter :${name}`);
      index = params.push(param) - 1;
    }
    return `$${index + 1}::${params[index]![1]}`;
  };
  const ctes = parts.map(
    (part) =>
      `${part.name} AS (${part.sql.replace(/(?<!:):([a-z_]+)/gu, (_, name: string) => placeholder(name))})`,
  );
  // Every send's row, in its order; `n`, where there, is read so that its notices are sent.
  const notified = parts.some((part) => part.name === 'n') ? ', (SELECT count(*) FROM n)' : '';
  const text = `WITH ${ctes.join(',\n')}
SELECT ids.tx, h.added, checked.problem${notified}
FROM checked
  LEFT JOIN ids USING (send)
  LEFT JOIN unnest(${placeholder('who')}, ${placeholder('day')}) WITH ORDINALITY
    AS x(who, day, send) USING (send)
  LEFT JOIN h ON ids.tx IS NOT NULL AND h.who = x.who AND h.day = x.day
ORDER BY send`;
  // The name changes with the text, so a connection never runs an older text under it.
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { name: `batos_commit_${hash}`, text, params };
}

function readOnly(r: CommitRecord): number[] {
  const written = new Set(r.objects.map((o) => o.oid));
  return [...r.reads.keys()].filter((oid) => !written.has(oid));
}

function nextOid(r: CommitRecord, end: 'from' | 'to'): string | null {
  const next = r.nextOid;
  return next === undefined ? null : String(next[end]);
}
