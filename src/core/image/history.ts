/** Reading the image's history: which transactions changed what. */
import type { Kysely } from 'kysely';
import type { Oid, Slot } from '../model/value.ts';
import { decodeSlot } from './codec.ts';
import type { ImageSchema } from './schema.ts';

/** One committed transaction and the slot changes it made. */
export interface HistoryEntry {
  readonly tx: number;
  readonly at: string;
  readonly who: string;
  readonly platform: string;
  readonly channel: string | null;
  readonly message: string | null;
  readonly undoOf: number | null;
  readonly undoneBy: number | null;
  /** It changed an object not everyone may read: others see it without its text. */
  readonly private: boolean;
  /** The owner of the method that answered, whose authority it ran with. */
  readonly ranAs: string | null;
  readonly changes: readonly HistoryChange[];
}

export interface HistoryChange {
  readonly oid: Oid;
  /** null for the creation of the object. */
  readonly slot: string | null;
  readonly before: Slot | undefined;
  readonly after: Slot | undefined;
  readonly beforeIndex: number | null;
}

/** Which transactions {@link readHistory} reads, newest first. */
export interface HistoryOptions {
  /** Only those that changed this object. */
  readonly oid?: Oid;
  /** Only this one. */
  readonly tx?: number;
  /** Leave out BAT OS's own (boot, model records): `who` starting with {@link SYSTEM_PREFIX}. */
  readonly withoutSystem?: boolean;
  readonly limit: number;
}

/** Transactions, newest first: all of them, or those that changed one object. */
export async function readHistory(
  db: Kysely<ImageSchema>,
  options: HistoryOptions,
): Promise<HistoryEntry[]> {
  let query = db.selectFrom('transactions').selectAll().orderBy('tx', 'desc').limit(options.limit);
  if (options.tx !== undefined) query = query.where('tx', '=', options.tx);
  if (options.withoutSystem === true) query = query.where('who', 'not like', `${SYSTEM_PREFIX}%`);
  if (options.oid !== undefined) {
    const oid = options.oid;
    query = query.where('tx', 'in', db.selectFrom('changes').select('tx').where('oid', '=', oid));
  }
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const changes = await db
    .selectFrom('changes')
    .selectAll()
    .where(
      'tx',
      'in',
      rows.map((r) => r.tx),
    )
    .orderBy('tx')
    .orderBy('seq')
    .execute();
  const byTx = new Map<number, HistoryChange[]>();
  for (const c of changes) {
    const list = byTx.get(c.tx) ?? [];
    list.push({
      oid: c.oid,
      slot: c.slot,
      before: c.before === null ? undefined : decodeSlot(c.before),
      after: c.after === null ? undefined : decodeSlot(c.after),
      beforeIndex: c.before_index,
    });
    byTx.set(c.tx, list);
  }
  return rows.map((r) => ({
    tx: r.tx,
    at: r.at,
    who: r.who,
    platform: r.platform,
    channel: r.channel,
    message: r.message,
    undoOf: r.undo_of,
    undoneBy: r.undone_by,
    private: r.private === 1,
    ranAs: r.ran_as,
    changes: byTx.get(r.tx) ?? [],
  }));
}

/** Transactions made by BAT OS itself (bootstrap, model records) have `who` starting so. */
export const SYSTEM_PREFIX = 'system:';

/**
 * The newest transaction that is neither an undo, nor already undone, nor BAT OS's own:
 * what a bare `undo` reverts.
 */
export async function lastUndoable(
  db: Kysely<ImageSchema>,
  who?: string,
): Promise<number | undefined> {
  let query = db.selectFrom('transactions').select('tx');
  if (who !== undefined) query = query.where('who', '=', who);
  const row = await query
    .where('undo_of', 'is', null)
    .where('undone_by', 'is', null)
    .where('who', 'not like', `${SYSTEM_PREFIX}%`)
    .orderBy('tx', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.tx;
}

/**
 * Forgets transactions committed before `before` (ISO time), like ZODB's pack: their
 * history and undo go; the objects stay as they are. An undo kept whose target is forgotten
 * becomes an ordinary transaction. Returns how many transactions were forgotten.
 */
export async function forgetHistoryBefore(
  db: Kysely<ImageSchema>,
  before: string,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const old = trx.selectFrom('transactions').select('tx').where('at', '<', before);
    await trx
      .updateTable('transactions')
      .set({ undo_of: null })
      .where('undo_of', 'in', old)
      .execute();
    await trx
      .updateTable('transactions')
      .set({ undone_by: null })
      .where('undone_by', 'in', old)
      .execute();
    await trx.deleteFrom('changes').where('tx', 'in', old).execute();
    const { numDeletedRows } = await trx
      .deleteFrom('transactions')
      .where('at', '<', before)
      .executeTakeFirst();
    return Number(numDeletedRows);
  });
}
