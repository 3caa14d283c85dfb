/**
 * The port between the image and the database that keeps it: SQLite for one process, or
 * PostgreSQL for many. The image above it (cache, transactions, history, undo) is the same
 * for both; a store only moves rows, keeps them consistent across processes, and says what
 * other processes changed.
 */
import type { Kysely } from 'kysely';
import type { Oid } from '../model/value.ts';
import type { HistoryEntry } from './history.ts';
import type { ParentLinkChanges } from './parent-links.ts';
import type { MethodIndexChanges } from './method-index.ts';
import type { ImageSchema } from './schema.ts';

/**
 * How a caller waits for its commit to become durable. `shared`: the sync runs off the main
 * thread, so sends that commit meanwhile share the next one (group commit). `inline`: the
 * sync runs in the caller's turn, for a send with nobody to share it with, where the thread
 * pool's round trip would only add latency.
 */
export type SyncWait = 'shared' | 'inline';

/** One object's stored form and the transaction that last wrote it. */
export interface StoredObject {
  /** Encoded slots (see `codec.ts`). */
  readonly slots: string;
  /** The id of the transaction that last wrote the object; 0 for one never written since 0003. */
  readonly version: number;
}

/** One object as a commit writes it. */
export interface ObjectRow {
  readonly oid: Oid;
  readonly slots: string;
  readonly refs: string;
  readonly owner: string;
}

/** One slot change as history keeps it, encoded. */
export interface ChangeRow {
  readonly oid: Oid;
  readonly slot: string | null;
  readonly before: string | null;
  readonly after: string | null;
  readonly beforeIndex: number | null;
}

/** Everything one transaction writes, in the form the store keeps it. */
export interface CommitRecord {
  readonly objects: readonly ObjectRow[];
  /** The versions of the committed objects the transaction read (written ones included). */
  readonly reads: ReadonlyMap<Oid, number>;
  /** The next free oid before and after, when the transaction created objects. */
  readonly nextOid?: { readonly from: Oid; readonly to: Oid };
  /** The transaction's row, as history later reads it back (less what the store assigns). */
  readonly transaction: Omit<HistoryEntry, 'tx' | 'undoneBy' | 'changes'>;
  readonly changes: readonly ChangeRow[];
  /**
   * The method index's rows to write and drop, written in the same database transaction;
   * absent when no change touched a method (most sends).
   */
  readonly methodIndex?: MethodIndexChanges;
  /**
   * The parent links to add and drop, written in the same database transaction; absent when
   * no change touched a parent slot (most sends).
   */
  readonly parentLinks?: ParentLinkChanges;
  /** Made while this process holds the gate ({@link ImageStore.holdOthersBack}). */
  readonly alone: boolean;
}

/** What other processes committed since the last {@link ImageStore.refresh}. */
export interface Invalidation {
  /** Objects to drop from the cache; `'all'` when the store cannot say which. */
  readonly oids: readonly Oid[] | 'all';
  /** The next free oid as the other processes left it, when they created objects. */
  readonly nextOid?: Oid;
}

/** Gives back what was held. */
export type Release = () => Promise<void>;

/** Held while one process writes a missing method, so no other process writes it too. */
export interface Claim {
  /** Whether another process held the claim first (it may have installed the method). */
  readonly waited: boolean;
  release(): Promise<void>;
}

export interface ImageStore {
  /** Where the image is, for messages: a file path, or a URL without its password. */
  readonly location: string;
  /** For history, undo and migrations, which read the same way on every store. */
  readonly kysely: Kysely<ImageSchema>;
  /** The next free oid when the store was opened. */
  readonly initialNextOid: Oid;

  /** One object, read now; `undefined` when there is none. Synchronous: lookup is. */
  load(oid: Oid): StoredObject | undefined;
  /** How many objects `owner` owns. */
  countOwned(owner: string): number;
  /** The bytes `who`'s transactions added to history on the UTC `day` (`YYYY-MM-DD`). */
  historyAdded(who: string, day: string): number;
  countObjects(): number;
  /** Every object once, in oid order. */
  allObjects(): IterableIterator<[Oid, string]>;

  /**
   * Writes a transaction, adding its bytes to its author's total for the day, and returns
   * its id: at once where the database is in this process
   * (so the cache is updated before any other send can look), or later. Fails with an
   * `ImageError` coded `conflict` when another process changed what it read (the caller runs
   * it again), or `unavailable` when the database cannot be reached; nothing is written then.
   */
  commit(record: CommitRecord): number | Promise<number>;
  /** Resolves once every commit so far is durable, waiting as `wait` says. */
  durable(wait?: SyncWait): Promise<void>;
  /** What other processes changed since the last call. */
  refresh(): Promise<Invalidation>;
  /**
   * `listener` hears which objects each commit of another process over the image wrote, as
   * soon as this store learns of it (`'all'` when it cannot say which); a store only this
   * process writes never calls it. Returns what stops it.
   */
  watchOthers(listener: (oids: readonly Oid[] | 'all') => void): () => void;
  /** Waits until no other process writes the method `key`, then holds it. */
  claim(key: string, signal?: AbortSignal): Promise<Claim>;
  /**
   * Waits for the commits in flight in other processes, then holds every other commit back
   * until released: a send that keeps losing to others runs alone once, and so finishes.
   */
  holdOthersBack(): Promise<Release>;

  /** Deletes every object the root cannot reach; returns how many. */
  deleteUnreachable(): Promise<number>;
  /** Gives the space freed by deletions back. */
  compact(): Promise<void>;
  /** A consistent copy of the whole image at `destination`. */
  backup(destination: string): Promise<void>;
  /** The database's own consistency check: `ok`, or the problems it found. */
  integrityCheck(): string;
  /** Broken references between the history tables, as the database reports them. */
  foreignKeyCheck(): unknown[];
  /** How many syncs group commit has made (SQLite); 0 where the database syncs itself. */
  readonly syncCount: number;

  close(): Promise<void>;
}
