/** Whether a PostgreSQL image can be reached, for `--check` and the start-up checks. */
import { translatePgError } from './errors.ts';
import { redactedLocation } from './location.ts';

/** Connects once and disconnects: `undefined` when fine, else the error that says why not. */
export async function probePostgres(url: string) {
  // pg loads when a PostgreSQL image is asked about, never for SQLite.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return translatePgError(redactedLocation(url), error);
  } finally {
    await client.end().catch(() => {});
  }
}
