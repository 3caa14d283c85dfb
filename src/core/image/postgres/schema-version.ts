/** Which migrations a PostgreSQL image has run: what an upgrade can change under every process. */
import { translatePgError } from './errors.ts';
import { redactedLocation } from './location.ts';

/** The names of the migrations run, in order, joined; empty for a database with no image yet. */
export async function schemaVersion(url: string): Promise<string> {
  // pg loads when a PostgreSQL image is asked about, never for SQLite.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string }>(
      `SELECT name FROM kysely_migration ORDER BY name`,
    );
    return rows.map((row) => row.name).join(',');
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return ''; // no migration table yet
    throw translatePgError(redactedLocation(url), error);
  } finally {
    await client.end().catch(() => {});
  }
}
