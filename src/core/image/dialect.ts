/** Where SQLite and PostgreSQL speak different SQL, the image asks which one it has. */
import { PostgresAdapter, type Kysely } from 'kysely';

/** Whether `db` is PostgreSQL (else SQLite): where the two speak different SQL. */
export function onPostgres(db: Pick<Kysely<unknown>, 'getExecutor'>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
