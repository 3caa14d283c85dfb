/**
 * Objects that refer to one object in a value slot (a parent slot among them), from the
 * `refs` column every commit keeps: what the browser's object page looks through for an
 * object's children. There is no index of references, so each call reads the objects table
 * from `after` on, until it has `limit` of them.
 */
import { sql, type Kysely } from 'kysely';
import type { Oid } from '../model/value.ts';
import { onPostgres } from './dialect.ts';
import type { ImageSchema } from './schema.ts';

/** Up to `limit` oids above `after`, in order, of objects whose references include `oid`. */
export async function referrersOf(
  db: Kysely<ImageSchema>,
  oid: Oid,
  after: Oid,
  limit: number,
): Promise<Oid[]> {
  const refers = onPostgres(db)
    ? sql<boolean>`objects.refs::jsonb @> ${JSON.stringify([oid])}::jsonb`
    : sql<boolean>`EXISTS (SELECT 1 FROM json_each(objects.refs) WHERE json_each.value = ${oid})`;
  const rows = await db
    .selectFrom('objects')
    .select('oid')
    .where('oid', '>', after)
    .where(refers)
    .orderBy('oid')
    .limit(limit)
    .execute();
  return rows.map((row) => Number(row.oid));
}
