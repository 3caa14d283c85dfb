/**
 * A fresh, empty database on the run's shared PostgreSQL server (started by
 * postgres-setup.ts), one per call, so test files never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase } from './postgres-server.ts';

/** Creates an empty database on the shared server and returns its URL. */
export function freshPostgresDatabase(): Promise<string> {
  return createDatabase(
    inject('postgres').adminUrl,
    `batos_test_${process.pid}_${randomBytes(4).toString('hex')}`,
  );
}
