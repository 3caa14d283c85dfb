/**
 * A whole commit as one prepared statement, so a send costs one round trip and one implicit
 * transaction however many objects and changes it wrote: the checks (`batos_check_commit`:
 * the commit gate, the row locks, the versions read, the next free oid; a failed check fails
 * the statement, so nothing is written), then the transaction row, its author's bytes for the
 * day, its objects (their version set to the new transaction's id), its history, the undone
 * mark, the next free oid and the change notice, as data-modifying parts of one query.
 *
 * Every part after the checks reads the new transaction's row `t`, which exists only once the
 * checks passed: that orders the locks before the writes. Values travel as typed arrays, one
 * per column, each encoded once by the driver and parsed once by the server.
 *
 * To write something more in every commit, add a {@link Part} to {@link PARTS} (and the value
 * it needs to `CommitRecord`).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { historyDay } from '../history.ts';
import type { MethodIndexChanges } from '../method-index.ts';
import type { CommitRecord } from '../store.ts';
import { CHANGES_CHANNEL } from './change-feed.ts';

/** What one commit needs beside its record: how it passes the gate, and its notice. */
export interface CommitContext {
  readonly record: CommitRecord;
  /** Take the sole lock in shared mode (false while this process holds the image alone). */
  readonly passSole: boolean;
  readonly sole: readonly [number, number];
  /** Take the commit gate in shared mode (false while this process holds it alone). */
  readonly passGate: boolean;
  readonly gate: readonly [number, number];
  readonly notice: string;
}

/** What the statement did. */
export interface Written {
  /** The new transaction's id. */
  readonly tx: number;
  /** Its author's bytes added to history on its day, this commit's included. */
  readonly addedToday: number;
}

/** One parameter of the statement: its name in the parts' text, its type, its value. */
type Param = readonly [name: string, type: string, value: (c: CommitContext) => unknown];

/** One part of the statement: `name AS (sql)`, with `:param` placeholders. */
interface Part {
  readonly name: string;
  readonly sql: string;
  readonly params: readonly Param[];
}

const record = (c: CommitContext) => c.record;
const transaction = (c: CommitContext) => c.record.transaction;
const objects = (c: CommitContext) => c.record.objects;
const changes = (c: CommitContext) => c.record.changes;
const NO_METHOD_CHANGES: MethodIndexChanges = { upsert: [], remove: [] };
const methodIndex = (c: CommitContext) => c.record.methodIndex ?? NO_METHOD_CHANGES;

const PARTS: readonly Part[] = [
  {
    name: 'checked',
    sql: `SELECT batos_check_commit(:pass_sole, :sole_a, :sole_b, :pass_gate, :gate_a, :gate_b,
            :written, :read_only, :read_oids, :read_versions, :next_from) AS ok`,
    params: [
      ['pass_sole', 'boolean', (c) => c.passSole],
      ['sole_a', 'integer', (c) => c.sole[0]],
      ['sole_b', 'integer', (c) => c.sole[1]],
      ['pass_gate', 'boolean', (c) => c.passGate],
      ['gate_a', 'integer', (c) => c.gate[0]],
      ['gate_b', 'integer', (c) => c.gate[1]],
      ['written', 'integer[]', (c) => objects(c).map((o) => o.oid)],
      ['read_only', 'integer[]', (c) => readOnly(record(c))],
      ['read_oids', 'integer[]', (c) => [...record(c).reads.keys()]],
      ['read_versions', 'integer[]', (c) => [...record(c).reads.values()]],
      ['next_from', 'text', (c) => nextOid(c, 'from')],
    ],
  },
  {
    name: 't',
    sql: `INSERT INTO transactions (at, who, platform, channel, message, undo_of, private,
                                    ran_as, bytes)
          SELECT :at, :who, :platform, :channel, :message, :undo_of, :private, :ran_as, :bytes
          FROM checked
          RETURNING tx`,
    params: [
      ['at', 'text', (c) => transaction(c).at],
      ['who', 'text', (c) => transaction(c).who],
      ['platform', 'text', (c) => transaction(c).platform],
      ['channel', 'text', (c) => transaction(c).channel],
      ['message', 'text', (c) => transaction(c).message],
      ['undo_of', 'integer', (c) => transaction(c).undoOf],
      ['private', 'integer', (c) => (transaction(c).private ? 1 : 0)],
      ['ran_as', 'text', (c) => transaction(c).ranAs],
      ['bytes', 'integer', (c) => transaction(c).bytes],
    ],
  },
  {
    name: 'h',
    sql: `INSERT INTO history_days (who, day, added, kept)
          SELECT :who, :day, :bytes, :bytes FROM t
          ON CONFLICT (who, day) DO UPDATE
            SET added = history_days.added + excluded.added,
                kept = history_days.kept + excluded.kept
          RETURNING added`,
    params: [['day', 'text', (c) => historyDay(transaction(c).at)]],
  },
  {
    name: 'o',
    sql: `INSERT INTO objects (oid, slots, refs, owner, version)
          SELECT x.oid, x.slots, x.refs, x.owner, t.tx
          FROM t, unnest(:written, :object_slots, :object_refs, :object_owners)
            AS x(oid, slots, refs, owner)
          ON CONFLICT (oid) DO UPDATE SET slots = excluded.slots, refs = excluded.refs,
            owner = excluded.owner, version = excluded.version`,
    params: [
      ['object_slots', 'text[]', (c) => objects(c).map((o) => o.slots)],
      ['object_refs', 'text[]', (c) => objects(c).map((o) => o.refs)],
      ['object_owners', 'text[]', (c) => objects(c).map((o) => o.owner)],
    ],
  },
  {
    name: 'c',
    sql: `INSERT INTO changes (tx, seq, oid, slot, before, after, before_index)
          SELECT t.tx, x.n - 1, x.oid, x.slot, x.before, x.after, x.before_index
          FROM t, unnest(:change_oids, :change_slots, :change_befores, :change_afters,
                         :change_indexes) WITH ORDINALITY
            AS x(oid, slot, before, after, before_index, n)`,
    params: [
      ['change_oids', 'integer[]', (c) => changes(c).map((x) => x.oid)],
      ['change_slots', 'text[]', (c) => changes(c).map((x) => x.slot)],
      ['change_befores', 'text[]', (c) => changes(c).map((x) => x.before)],
      ['change_afters', 'text[]', (c) => changes(c).map((x) => x.after)],
      ['change_indexes', 'integer[]', (c) => changes(c).map((x) => x.beforeIndex)],
    ],
  },
  {
    name: 'u',
    sql: `UPDATE transactions SET undone_by = t.tx FROM t WHERE transactions.tx = :undo_of`,
    params: [],
  },
  {
    name: 'm',
    sql: `UPDATE meta SET value = :next_to FROM t WHERE key = 'next_oid' AND :next_to IS NOT NULL`,
    params: [['next_to', 'text', (c) => nextOid(c, 'to')]],
  },
  {
    // The method index (see `../method-index.ts`): empty arrays for the many commits that
    // change no method. A row is removed or set, never both, in one commit; its object exists
    // by the end of the statement, when the foreign key is checked.
    name: 'mi_gone',
    sql: `DELETE FROM methods USING t, unnest(:unindex_oids, :unindex_slots) AS x(oid, slot)
          WHERE methods.oid = x.oid AND methods.slot = x.slot`,
    params: [
      ['unindex_oids', 'integer[]', (c) => methodIndex(c).remove.map((m) => m.oid)],
      ['unindex_slots', 'text[]', (c) => methodIndex(c).remove.map((m) => m.slot)],
    ],
  },
  {
    name: 'mi_set',
    sql: `INSERT INTO methods (oid, slot, selector, source, doc, provenance, name_terms,
                               doc_terms, source_terms)
          SELECT x.* FROM t, unnest(:index_oids, :index_slots, :index_selectors, :index_sources,
                                    :index_docs, :index_provenances, :index_name_terms,
                                    :index_doc_terms, :index_source_terms) AS x
          ON CONFLICT (oid, slot) DO UPDATE SET selector = excluded.selector,
            source = excluded.source, doc = excluded.doc, provenance = excluded.provenance,
            name_terms = excluded.name_terms, doc_terms = excluded.doc_terms,
            source_terms = excluded.source_terms`,
    params: [
      ['index_oids', 'integer[]', (c) => methodIndex(c).upsert.map((m) => m.oid)],
      ['index_slots', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.slot)],
      ['index_selectors', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.selector)],
      ['index_sources', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.source)],
      ['index_docs', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.doc)],
      ['index_provenances', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.provenance)],
      ['index_name_terms', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.nameTerms)],
      ['index_doc_terms', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.docTerms)],
      ['index_source_terms', 'text[]', (c) => methodIndex(c).upsert.map((m) => m.sourceTerms)],
    ],
  },
  {
    name: 'n',
    sql: `SELECT pg_notify('${CHANGES_CHANNEL}', :notice) FROM t`,
    params: [['notice', 'text', (c) => c.notice]],
  },
];

/** The statement's text and its parameters in `$n` order, made once. */
const STATEMENT = compile(PARTS);

/** Runs the commit on a connection of `pool` (one statement, its own transaction). */
export async function writeCommit(pool: pg.Pool, context: CommitContext): Promise<Written> {
  const { rows } = await pool.query<{ tx: number; added: string }>({
    name: STATEMENT.name,
    text: STATEMENT.text,
    values: STATEMENT.params.map(([, , value]) => value(context)),
  });
  const row = rows[0]!;
  return { tx: row.tx, addedToday: Number(row.added) };
}

function compile(parts: readonly Part[]) {
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
      `${part.name} AS (${part.sql.replace(/:([a-z_]+)/gu, (_, name: string) => placeholder(name))})`,
  );
  const text = `WITH ${ctes.join(',\n')}
SELECT (SELECT tx FROM t) AS tx, (SELECT added FROM h) AS added,
  (SELECT count(*) FROM n) AS notified`;
  // The name changes with the text, so a connection never runs an older text under it.
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { name: `batos_commit_${hash}`, text, params };
}

function readOnly(r: CommitRecord): number[] {
  const written = new Set(r.objects.map((o) => o.oid));
  return [...r.reads.keys()].filter((oid) => !written.has(oid));
}

function nextOid(c: CommitContext, end: 'from' | 'to'): string | null {
  const next = c.record.nextOid;
  return next === undefined ? null : String(next[end]);
}
