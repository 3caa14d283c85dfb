/**
 * vitest's global setup: ONE real PostgreSQL server for the whole run (see
 * postgres-server.ts), whose URL is provided to every test file. A test file takes a fresh
 * empty database of its own with `freshPostgresDatabase()` (postgres.ts), so files never see
 * each other's data. Never skipped: when no server can be started, the run fails here and
 * says why.
 */
import type { TestProject } from 'vitest/node';
import { findPostgresBinary } from '../../src/core/image/postgres/binaries.ts';
import { PostgresServer } from './postgres-server.ts';

/** What test files get: the server's admin URL, and where its programs came from. */
export interface SharedPostgres {
  /** The superuser's URL on the `postgres` database, for creating databases. */
  readonly adminUrl: string;
  readonly source: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: SharedPostgres;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Backups of an image on PostgreSQL run pg_dump: a machine that tests them must have it.
  if (findPostgresBinary('pg_dump') === undefined)
    throw new Error(
      "PostgreSQL's pg_dump is not installed, and backups of an image on PostgreSQL need it: apt-get install postgresql-client (or brew install postgresql).",
    );
  let server: PostgresServer;
  try {
    server = await PostgresServer.start();
  } catch (error) {
    throw new Error(
      `The tests need a PostgreSQL server and none could be started: ${(error as Error).message}`,
    );
  }
  project.provide('postgres', { adminUrl: server.url(), source: server.programs!.source });
  return () => server.destroy();
}
