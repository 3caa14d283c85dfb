export {
  Image,
  backupImageFile,
  type CollectResult,
  type CommittedChange,
  type ImageOptions,
  type ImageView,
} from './image.ts';
export {
  Transaction,
  type SlotChange,
  type TransactionInfo,
  type WriteGuard,
} from './transaction.ts';
export { MEMORY_SLOT, type FoundMemory } from './memory-search.ts';
export type { NearMemory } from './memory-vectors.ts';
export { searchTerms } from './text-search.ts';
export { refuseNonDatabase } from './database.ts';
export { migrateImage, type MigrateResult } from './migrate-image.ts';
export type { HistoryChange, HistoryEntry } from './history.ts';
export type { LinkRefusal, SignInBook, SignInRecord } from './sign-in-book.ts';
export type { DayCount, ObjectTotals, SizedObject } from './image-stats.ts';
export type { PreparedUndo, UndoObstacle } from './undo-obstacle.ts';
export type { Claim, SyncWait } from './store.ts';
export type { IndexedMethod } from './method-index.ts';
export { NEAREST_RANKED, type MethodPlace, type SendersPage } from './method-search.ts';
// Not through postgres/index.ts, whose store loads pg: these load it only when called.
export { dumpDatabase, restoreDatabase } from './postgres/dump.ts';
export { isPostgresLocation, redactedLocation } from './postgres/location.ts';
export { probePostgres } from './postgres/probe.ts';
export { schemaVersion } from './postgres/schema-version.ts';
