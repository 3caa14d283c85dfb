/** The image's tables, as kysely sees them. Migrations in `migrations.ts` create them. */
import type { Generated } from 'kysely';

export interface MetaTable {
  key: string;
  value: string;
}

export interface ObjectsTable {
  oid: number;
  /** Encoded slots, in order (see `codec.ts`). */
  slots: string;
  /** JSON array of the oids this object refers to. */
  refs: string;
  /** The principal in the object's `owner*` slot, for counting what each person owns. */
  owner: string;
  /** The transaction that last wrote the object, so a commit can tell what changed since. */
  version: number;
}

export interface TransactionsTable {
  /** Numbered by the database, in commit order. */
  tx: Generated<number>;
  at: string;
  who: string;
  platform: string;
  channel: string | null;
  message: string | null;
  /** The transaction this one reverted, for an undo. */
  undo_of: number | null;
  /** The undo that reverted this one, if any. */
  undone_by: number | null;
  /** 1 when it changed an object not everyone may read: others see it without its text. */
  private: number;
  /** The owner of the method that answered, whose authority it ran with; null for none. */
  ran_as: string | null;
  /** The bytes its changes keep in history: each one's encoded before and after. */
  bytes: number;
}

export interface ChangesTable {
  tx: number;
  seq: number;
  oid: number;
  /** The slot name; null for the object's own creation. */
  slot: string | null;
  /** Encoded slot before the transaction; null when absent. */
  before: string | null;
  /** Encoded slot after the transaction; null when removed. */
  after: string | null;
  /** The slot's position before it was removed, so undo puts it back in place. */
  before_index: number | null;
}

/** Platform events a front end has claimed, so a retried or duplicated one is answered once. */
export interface LedgerEventsTable {
  platform: string;
  event_id: string;
  /** When it was claimed (ISO time); claims older than an hour are forgotten. */
  at: string;
}

/** Threads the bot has answered in, so follow-ups need no mention. */
export interface LedgerThreadsTable {
  platform: string;
  thread: string;
  /** When the bot last answered there (ISO time). */
  at: string;
}

/**
 * History's bytes per principal and UTC day, kept by each commit and by forgetting, so
 * neither the daily budget nor retention reads all of history. The byte columns are bigints
 * on PostgreSQL, which its driver gives as strings: read them with `Number`.
 */
export interface HistoryDaysTable {
  who: string;
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** The bytes `who`'s transactions added that day, for the budget: forgetting leaves it. */
  added: number | string;
  /** The bytes of those transactions history still keeps. */
  kept: number | string;
}

/**
 * The method index (see `method-index.ts`): one row per method slot, removed with its object.
 * Searched through `methods_fts` (SQLite FTS5, kept in step by triggers) or the generated
 * `search` column (PostgreSQL), neither of which kysely needs to know.
 */
export interface MethodsTable {
  oid: number;
  /** The slot that holds the method: its selector, or a workshop's `#oid selector`. */
  slot: string;
  selector: string;
  source: string;
  doc: string;
  /** The method's provenance as JSON; null when it has none. */
  provenance: string | null;
  /** The words the selector, the doc line and the source are searched by. */
  name_terms: string;
  doc_terms: string;
  source_terms: string;
}

/** The image browser's one-time sign-in links (see `sign-in-book.ts`), by token hash. */
export interface BrowserLinksTable {
  /** SHA-256 of the link's token, base64url: the token itself is never kept. */
  token_hash: string;
  /** Whom it signs in as. */
  principal: string;
  /** The browser's own record of that identity (JSON), handed back as given. */
  identity: string;
  /** ISO time. */
  expires: string;
  /** When it was used (ISO time); null while it may still be. */
  used_at: string | null;
}

/** The image browser's sessions (see `sign-in-book.ts`), by the hash of their cookie. */
export interface BrowserSessionsTable {
  token_hash: string;
  principal: string;
  identity: string;
  /** ISO time. */
  expires: string;
}

/**
 * The embeddings of memories (see `memory-vectors.ts`), one per memory object, deleted with
 * its memory by triggers on the objects table.
 */
export interface MemoryVectorsTable {
  oid: number;
  /** The memory's owner, the only one whose recall compares against it. */
  owner: string;
  /** The embedding model that made it (`<file>@<sha256 prefix>`); another model's are ignored. */
  model: string;
  /** Float32s, little-endian, of unit length. */
  vector: Uint8Array;
}

/**
 * The parent links (see `parent-links.ts`): a row for each parent a `parent*` slot names,
 * keyed (parent, child), removed with its child.
 */
export interface ParentLinksTable {
  parent: number;
  child: number;
}

/**
 * Each owner's objects and the bytes of their stored slots, kept by triggers on `objects`
 * (migration 0016), so the image's figures are a read of a row per owner.
 */
export interface ObjectTotalsTable {
  owner: string;
  objects: number | string;
  bytes: number | string;
}

export interface ImageSchema {
  meta: MetaTable;
  objects: ObjectsTable;
  transactions: TransactionsTable;
  changes: ChangesTable;
  ledger_events: LedgerEventsTable;
  ledger_threads: LedgerThreadsTable;
  history_days: HistoryDaysTable;
  methods: MethodsTable;
  browser_links: BrowserLinksTable;
  browser_sessions: BrowserSessionsTable;
  memory_vectors: MemoryVectorsTable;
  parent_links: ParentLinksTable;
  object_totals: ObjectTotalsTable;
}
