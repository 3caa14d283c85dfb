/**
 * A commit's writes in one statement, so a send costs one round trip to write however many
 * objects and changes it made: the transaction row, its objects (their version set to the
 * new transaction's id), its history and its author's bytes for the day, the undone mark,
 * the next free oid, and the change notice, as data-modifying parts of one query. The objects and changes travel as JSON.
 */
import { sql, type Kysely } from 'kysely';
import { historyDay } from '../history.ts';
import type { ImageSchema } from '../schema.ts';
import type { CommitRecord } from '../store.ts';
import { CHANGES_CHANNEL } from './change-feed.ts';

/** What the statement did: the new transaction's id, and whether the next free oid moved. */
export interface Written {
  readonly tx: number;
  readonly movedNextOid: boolean;
}

/** Writes `record` inside the open transaction `trx`, announcing it with `notice`. */
export async function writeCommit(
  trx: Kysely<ImageSchema>,
  record: CommitRecord,
  notice: string,
): Promise<Written> {
  const t = record.transaction;
  const objects = JSON.stringify(record.objects);
  const changes = JSON.stringify(record.changes.map((change, seq) => ({ seq, ...change })));
  const next = record.nextOid;
  const { rows } = await sql<{ tx: number; moved: number }>`
    WITH t AS (
      INSERT INTO transactions (at, who, platform, channel, message, undo_of, private, ran_as,
                                bytes)
      VALUES (${t.at}, ${t.who}, ${t.platform}, ${t.channel}, ${t.message}, ${t.undoOf},
              ${t.private ? 1 : 0}, ${t.ranAs}, ${t.bytes})
      RETURNING tx
    ),
    h AS (
      INSERT INTO history_days (who, day, added, kept)
      VALUES (${t.who}, ${historyDay(t.at)}, ${t.bytes}, ${t.bytes})
      ON CONFLICT (who, day) DO UPDATE
        SET added = history_days.added + excluded.added, kept = history_days.kept + excluded.kept
    ),
    o AS (
      INSERT INTO objects (oid, slots, refs, owner, version)
      SELECT x.oid, x.slots, x.refs, x.owner, t.tx
      FROM t, jsonb_to_recordset(${objects}::jsonb)
        AS x(oid integer, slots text, refs text, owner text)
      ON CONFLICT (oid) DO UPDATE SET slots = excluded.slots, refs = excluded.refs,
        owner = excluded.owner, version = excluded.version
    ),
    c AS (
      INSERT INTO changes (tx, seq, oid, slot, before, after, before_index)
      SELECT t.tx, x.seq, x.oid, x.slot, x.before, x.after, x."beforeIndex"
      FROM t, jsonb_to_recordset(${changes}::jsonb)
        AS x(seq integer, oid integer, slot text, before text, after text, "beforeIndex" integer)
    ),
    u AS (UPDATE transactions SET undone_by = (SELECT tx FROM t) WHERE tx = ${t.undoOf}::integer),
    m AS (
      UPDATE meta SET value = ${next === undefined ? null : String(next.to)}::text
      WHERE key = 'next_oid' AND value = ${next === undefined ? null : String(next.from)}::text
      RETURNING 1
    ),
    n AS (SELECT pg_notify(${CHANGES_CHANNEL}, ${notice}))
    SELECT (SELECT tx FROM t) AS tx, (SELECT count(*) FROM m)::integer AS moved,
      (SELECT count(*) FROM n)::integer AS notified`.execute(trx);
  const row = rows[0]!;
  return { tx: row.tx, movedNextOid: row.moved === 1 };
}
