export { PostgresStore } from './postgres-store.ts';
export { isPostgresLocation, redactedLocation } from './location.ts';
export { probePostgres } from './probe.ts';
