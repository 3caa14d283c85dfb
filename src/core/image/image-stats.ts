/**
 * The image's statistics, in SQL on SQLite and PostgreSQL both: how many objects and how many
 * bytes they take (of the whole image, or of one owner's objects), the database's size, the
 * largest objects, and the objects created per UTC day as far as history reaches. Every
 * query returns what the image holds; who may see which is the caller's to decide. None reads
 * every object (issue #24): totals come from a row per owner, the largest from an index
 * (migration 0016), so an admin's image page costs the thread that serves sends little.
 */
import { sql, type Kysely } from 'kysely';
import type { Oid } from '../model/value.ts';
import { onPostgres } from './dialect.ts';
import { storedSize } from './migrations.ts';
import type { ImageSchema } from './schema.ts';

/** How many objects there are and the bytes of their stored slots. */
export interface ObjectTotals {
  readonly objects: number;
  readonly bytes: number;
}

/** One object by the size of its stored slots. */
export interface SizedObject {
  readonly oid: Oid;
  readonly owner: string;
  readonly bytes: number;
}

/** The objects created on one UTC day (`YYYY-MM-DD`), as history recorded their creation. */
export interface DayCount {
  readonly day: string;
  readonly created: number;
}

/**
 * The objects (all, or `owner`'s) and the bytes their slots take: from `object_totals`, a
 * row per owner kept by the writing transaction's triggers, never a read of the objects.
 */
export async function objectTotals(db: Kysely<ImageSchema>, owner?: string): Promise<ObjectTotals> {
  let query = db
    .selectFrom('object_totals')
    .select((eb) => [
      eb.fn.sum<number | string | null>('objects').as('objects'),
      eb.fn.sum<number | string | null>('bytes').as('bytes'),
    ]);
  if (owner !== undefined) query = query.where('owner', '=', owner);
  const row = await query.executeTakeFirstOrThrow();
  return { objects: Number(row.objects ?? 0), bytes: Number(row.bytes ?? 0) };
}

/**
 * The bytes the database takes: SQLite's pages (the file, less a WAL not yet checkpointed);
 * on PostgreSQL every table of the image's schema with its indexes and TOAST.
 */
export async function databaseBytes(db: Kysely<ImageSchema>): Promise<number> {
  const query = onPostgres(db)
    ? sql<{ bytes: string | number | null }>`SELECT sum(pg_total_relation_size(c.oid)) AS bytes
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r'`
    : sql<{
        bytes: number;
      }>`SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()`;
  const { rows } = await query.execute(db);
  return Number(rows[0]?.bytes ?? 0);
}

/**
 * Objects by the bytes of their slots, largest first (oid breaks ties): the first `limit`
 * after `offset`, of all or of `owner`'s. An index read (migration 0016's size indexes),
 * however many objects there are. The caller pages on to skip what it may not show.
 */
export async function largestObjects(
  db: Kysely<ImageSchema>,
  limit: number,
  offset: number,
  owner?: string,
): Promise<SizedObject[]> {
  const bytes = sql<number>`${sql.raw(storedSize(onPostgres(db)))}`;
  let query = db
    .selectFrom('objects')
    .select(['oid', 'owner', bytes.as('bytes')])
    .orderBy(bytes, 'desc')
    .orderBy('oid')
    .limit(limit)
    .offset(offset);
  if (owner !== undefined) query = query.where('owner', '=', owner);
  const rows = await query.execute();
  return rows.map((row) => ({ oid: row.oid, owner: row.owner, bytes: Number(row.bytes) }));
}

/**
 * The objects created each UTC day since `since` (`YYYY-MM-DD`), oldest first, days without
 * any left out: of all objects, or of those `owner` owns now. From history, so a day it has
 * forgotten (`collect` with days, retention) counts nothing.
 */
export async function createdPerDay(
  db: Kysely<ImageSchema>,
  since: string,
  owner?: string,
): Promise<DayCount[]> {
  // Transactions are numbered in commit order: the creations are read from the first one in
  // the window on, through their own index (migration 0012), counted by transaction before
  // the join, so the join looks up each transaction once rather than each creation.
  const first = await db
    .selectFrom('transactions')
    .select((eb) => eb.fn.min('tx').as('tx'))
    .where('at', '>=', since)
    .executeTakeFirst();
  if (first?.tx === null || first?.tx === undefined) return [];
  let creations = db
    .selectFrom('changes')
    .select((eb) => ['tx', eb.fn.countAll<number | string>().as('n')])
    .where('tx', '>=', Number(first.tx))
    .where('slot', 'is', null)
    .groupBy('tx');
  if (owner !== undefined)
    creations = creations.where(
      'oid',
      'in',
      db.selectFrom('objects').select('oid').where('owner', '=', owner),
    );
  const day = sql<string>`substr(t.at, 1, 10)`;
  const query = db
    .selectFrom(creations.as('c'))
    .innerJoin('transactions as t', 't.tx', 'c.tx')
    .select((eb) => [day.as('day'), eb.fn.sum<number | string>('c.n').as('created')])
    .where('t.at', '>=', since)
    .groupBy(day)
    .orderBy(day);
  const rows = await query.execute();
  return rows.map((row) => ({ day: row.day, created: Number(row.created) }));
}
