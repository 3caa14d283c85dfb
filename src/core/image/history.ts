/**
 * The image's history: which transactions changed what, how many bytes it holds (in all,
 * and added by each person each UTC day), and forgetting the oldest.
 */
import { sql, type Kysely } from 'kysely';
import type { Oid, Slot } from '../model/value.ts';
import { decodeSlot } from './codec.ts';
import { SETS_METHOD } from './migrations.ts';
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
  /** The bytes its changes keep in history: each one's encoded before and after. */
  readonly bytes: number;
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
  /**
   * With `oid`: only those that set a method in one of these slots of it (its versions),
   * found through the index of such changes (migration 0018).
   */
  readonly methodSlots?: readonly string[];
  /** Only this one. */
  readonly tx?: number;
  /** Leave out BAT OS's own (boot, model records): `who` starting with {@link SYSTEM_PREFIX}. */
  readonly withoutSystem?: boolean;
  /** Only those this person made and that may still be undone. */
  readonly undoableBy?: string;
  /** Only those this principal made. */
  readonly who?: string;
  /** Only those made at or after this ISO time. */
  readonly from?: string;
  /** Only those made before this ISO time. */
  readonly to?: string;
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
  if (options.who !== undefined) query = query.where('who', '=', options.who);
  if (options.from !== undefined) query = query.where('at', '>=', options.from);
  if (options.to !== undefined) query = query.where('at', '<', options.to);
  if (options.undoableBy !== undefined)
    query = query
      .where('who', '=', options.undoableBy)
      .where('undo_of', 'is', null)
      .where('undone_by', 'is', null);
  if (options.oid !== undefined) {
    const oid = options.oid;
    const slots = options.methodSlots;
    if (slots?.length === 0) return [];
    let changed = db.selectFrom('changes').select('tx').where('oid', '=', oid);
    if (slots !== undefined)
      changed = changed.where('slot', 'in', slots).where(sql<boolean>`${sql.raw(SETS_METHOD)}`);
    query = query.where('tx', 'in', changed);
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
    bytes: r.bytes,
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

/** The bytes one change keeps in history: its encoded before and after, as stored (UTF-8). */
export function changeBytes(change: {
  readonly before: string | null;
  readonly after: string | null;
}): number {
  return (
    (change.before === null ? 0 : Buffer.byteLength(change.before)) +
    (change.after === null ? 0 : Buffer.byteLength(change.after))
  );
}

/** The UTC day (`YYYY-MM-DD`) of an ISO time, as the daily history budget counts it. */
export function historyDay(at: string): string {
  return at.slice(0, 10);
}

/** The bytes every transaction kept holds in history, from the per-day totals. */
export async function historySize(db: Kysely<ImageSchema>): Promise<number> {
  const row = await db
    .selectFrom('history_days')
    .select((eb) => eb.fn.sum<number | string | null>('kept').as('bytes'))
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
}

/** One transaction as retention weighs it. */
export interface KeptTransaction {
  readonly tx: number;
  readonly at: string;
  readonly bytes: number;
}

/** The `limit` oldest transactions kept, oldest first. */
export function oldestTransactions(
  db: Kysely<ImageSchema>,
  limit: number,
): Promise<KeptTransaction[]> {
  return db
    .selectFrom('transactions')
    .select(['tx', 'at', 'bytes'])
    .orderBy('tx')
    .limit(limit)
    .execute();
}

/** Which transactions to forget: those committed before an ISO time, or up to a transaction. */
export type Forgotten = { readonly before: string } | { readonly through: number };

/**
 * Forgets transactions, like ZODB's pack: their history and undo go; the objects stay as
 * they are. An undo kept whose target is forgotten becomes an ordinary transaction. The
 * per-day totals keep what each person added (the budget) but no longer count the forgotten
 * bytes as kept; past days with nothing kept go. Returns how many transactions were forgotten.
 */
export async function forgetHistory(db: Kysely<ImageSchema>, which: Forgotten): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const old = () => {
      const all = trx.selectFrom('transactions').select('tx');
      return 'before' in which
        ? all.where('at', '<', which.before)
        : all.where('tx', '<=', which.through);
    };
    // The day as `historyDay` gives it, in SQL.
    const day = sql<string>`substr(at, 1, 10)`;
    const freed = await trx
      .selectFrom('transactions')
      .select((eb) => ['who', day.as('day'), eb.fn.sum<number | string>('bytes').as('bytes')])
      .where('tx', 'in', old())
      .groupBy(['who', day])
      .execute();
    for (const { who, day: on, bytes } of freed)
      await trx
        .updateTable('history_days')
        .set((eb) => ({ kept: eb('kept', '-', Number(bytes)) }))
        .where('who', '=', who)
        .where('day', '=', on)
        .execute();
    await trx
      .updateTable('transactions')
      .set({ undo_of: null })
      .where('undo_of', 'in', old())
      .execute();
    await trx
      .updateTable('transactions')
      .set({ undone_by: null })
      .where('undone_by', 'in', old())
      .execute();
    await trx.deleteFrom('changes').where('tx', 'in', old()).execute();
    const { numDeletedRows } = await trx
      .deleteFrom('transactions')
      .where('tx', 'in', old())
      .executeTakeFirst();
    await trx
      .deleteFrom('history_days')
      .where('day', '<', historyDay(new Date().toISOString()))
      .where('kept', '<=', 0)
      .execute();
    return Number(numDeletedRows);
  });
}
