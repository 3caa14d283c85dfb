/**
 * Which conversation threads were spoken in lately: the objects whose turns slot the newest
 * transactions changed, newest first, for the image browser's conversations (`uvm/threads.ts`
 * decides who may read which). Bounded twice, so a page view never reads all of history: only
 * the newest `window` transactions are looked at, through the partial index
 * `changes_turns` (migration 0014), and at most `limit` objects come back.
 */
import { sql, type Kysely } from 'kysely';
import { TURNS_SLOT } from '../model/thread-turns.ts';
import type { Oid } from '../model/value.ts';
import type { ImageSchema } from './schema.ts';

/** Which threads to look for. */
export interface ThreadActivityQuery {
  /** Only those this principal spoke in (made a turn's transaction). */
  readonly who?: string;
  /** How many of the newest transactions are looked at. */
  readonly window: number;
  readonly limit: number;
}

/** Objects whose turns changed in the newest `window` transactions, the latest change first. */
export async function recentlySpokenIn(
  db: Kysely<ImageSchema>,
  query: ThreadActivityQuery,
): Promise<Oid[]> {
  const newest = await db
    .selectFrom('transactions')
    .select(sql<number | null>`max(tx)`.as('tx'))
    .executeTakeFirst();
  const since = Number(newest?.tx ?? 0) - query.window;
  // Materialized, so both databases first take the window's turn changes from the partial
  // index, rather than walk every change in oid order to group them.
  let select = db
    .with(
      (cte) => cte('spoken').materialized(),
      (q) =>
        q
          .selectFrom('changes')
          .select(['oid', 'tx'])
          // A literal, so both databases see that the partial index answers it.
          .where('slot', '=', sql.lit(TURNS_SLOT))
          .where('tx', '>', since),
    )
    .selectFrom('spoken')
    .select(['spoken.oid', sql<number>`max(spoken.tx)`.as('last')]);
  if (query.who !== undefined)
    select = select
      .innerJoin('transactions', 'transactions.tx', 'spoken.tx')
      .where('transactions.who', '=', query.who);
  const rows = await select
    .groupBy('spoken.oid')
    .orderBy('last', 'desc')
    .limit(query.limit)
    .execute();
  return rows.map((row) => Number(row.oid));
}
