/**
 * The anchor for PostgreSQL sends: pgbench against the same server in the same run, each
 * client updating one row of its own (as each BAT OS sender writes one object of its own),
 * one transaction and one commit per update, prepared statements.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findPostgresBinary } from '../src/core/image/postgres/binaries.ts';

const run = promisify(execFile);

/** One row per client: `:client_id` is pgbench's own number for the client, from 0. */
const SCRIPT = 'UPDATE batos_anchor SET n = n + 1 WHERE id = :client_id;\n';

/** pgbench's transactions per second, or why it could not run (`pgbench` not installed). */
export async function pgbenchTps(
  url: string,
  dir: string,
  clients: number,
  seconds: number,
): Promise<number | { unavailable: string }> {
  const pgbench = findPostgresBinary('pgbench');
  if (pgbench === undefined)
    return { unavailable: 'pgbench is not installed (Debian: apt-get install postgresql)' };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS batos_anchor (id int PRIMARY KEY, n int)');
    await client.query(
      `INSERT INTO batos_anchor SELECT g, 0 FROM generate_series(0, $1 - 1) g ON CONFLICT DO NOTHING`,
      [clients],
    );
  } finally {
    await client.end();
  }
  const script = join(dir, 'anchor.sql');
  writeFileSync(script, SCRIPT);
  const { stdout } = await run(pgbench, [
    '--no-vacuum',
    '--protocol=prepared',
    `--client=${clients}`,
    `--jobs=${Math.min(clients, 2)}`,
    `--time=${seconds}`,
    `--file=${script}`,
    url,
  ]);
  const tps = /tps = ([\d.]+)/u.exec(stdout);
  if (tps === null) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return Number(tps[1]);
}
