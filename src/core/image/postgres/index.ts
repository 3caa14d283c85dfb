export { PostgresStore } from './postgres-store.ts';
export { isPostgresLocation, redactedLocation } from './location.ts';
export { probePostgres } from './probe.ts';
export { dumpDatabase, restoreDatabase } from './dump.ts';
export { schemaVersion } from './schema-version.ts';
