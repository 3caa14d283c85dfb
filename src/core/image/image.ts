/**
 * The living image: every object, persisted in a database — one SQLite file by default, or
 * PostgreSQL shared by many BAT OS processes (see `store.ts`).
 *
 * Objects load lazily into a cache; a send works in a {@link Transaction} that buffers its
 * writes, and {@link Image.commit} writes them, with their history, in one durable database
 * transaction. With many processes, each commit checks that what it read is still current
 * (else it fails with `conflict` and the send runs again), and {@link Image.refresh} drops
 * from the cache what the others changed.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { accessOf } from '../model/object-access.ts';
import { ImageError } from '../errors.ts';
import { copyPrivateFile, ensurePrivateDir } from '../private-files.ts';
import { type Oid, referencedOids, slotEquals, type SlotMap } from '../model/value.ts';
import { decodeSlots, encodeRefs, encodeSlot, encodeSlots } from './codec.ts';
import {
  changeBytes,
  forgetHistory,
  historyDay,
  historySize,
  lastUndoable,
  oldestTransactions,
  readHistory,
  SYSTEM_PREFIX,
  type Forgotten,
  type HistoryEntry,
  type KeptTransaction,
  type HistoryOptions,
} from './history.ts';
import { Ledger } from './ledger.ts';
import { childrenOf, parentLinkChanges } from './parent-links.ts';
import { recentlySpokenIn, type ThreadActivityQuery } from './thread-activity.ts';
import { SignInBook } from './sign-in-book.ts';
import { methodIndexChanges, type IndexedMethod } from './method-index.ts';
import {
  createdPerDay,
  databaseBytes,
  largestObjects,
  objectTotals,
  type DayCount,
  type ObjectTotals,
  type SizedObject,
} from './image-stats.ts';
import {
  implementorsOf,
  nearestMethods,
  sendersOf,
  type MethodPlace,
  type SendersPage,
} from './method-search.ts';
import { searchMemories, type FoundMemory } from './memory-search.ts';
import {
  memoriesWithoutVector,
  nearestMemories,
  storeMemoryVector,
  type NearMemory,
} from './memory-vectors.ts';
import type { Principal } from '../model/principal.ts';
import { DEFAULT_CACHE_BYTES, ObjectCache } from './object-cache.ts';
import { isPostgresLocation } from './postgres/location.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { ChangeRow, Claim, ImageStore, ObjectRow, Release, SyncWait } from './store.ts';
import {
  Transaction,
  type CommittedObject,
  type SlotChange,
  type TransactionInfo,
  type WriteGuard,
} from './transaction.ts';
import type { PreparedUndo, UndoObstacle } from './undo-obstacle.ts';

export interface ImageOptions {
  /** How many objects to keep in memory (default 200,000). */
  readonly cacheSize?: number;
  /** How many bytes of objects (their stored form) to keep in memory ({@link DEFAULT_CACHE_BYTES}). */
  readonly cacheBytes?: number;
}

/** What one commit changed, as the change feed tells it (see {@link Image.watch}). */
export interface CommittedChange {
  /** Its transaction; absent for another process's commit, whose notice does not carry it. */
  readonly tx?: number;
  /** The objects it wrote or created; `'all'` when another process's notice did not list them. */
  readonly oids: readonly Oid[] | 'all';
}

/** What `collect` did. */
export interface CollectResult {
  readonly deleted: number;
  /** Transactions forgotten because they were older than asked to keep. */
  readonly forgottenTransactions: number;
  readonly remaining: number;
  readonly sweepMs: number;
  readonly compactMs: number;
}

export class Image {
  /** Platform events claimed and threads answered, shared by every process over the image. */
  readonly ledger: Ledger;
  /** The image browser's links and sessions, by token hash (the UVM's `SignInDesk` guards them). */
  readonly signIns: SignInBook;
  private readonly cache: ObjectCache;
  private committedNextOid: Oid;
  private closed = false;
  /** Whether this process holds every other commit back now. */
  private alone = false;
  /** Who hears of each commit (the change feed). */
  private readonly watchers = new Set<(change: CommittedChange) => void>();

  private constructor(
    private readonly store: ImageStore,
    options: ImageOptions,
  ) {
    this.cache = new ObjectCache(
      options.cacheSize ?? 200_000,
      options.cacheBytes ?? DEFAULT_CACHE_BYTES,
    );
    this.committedNextOid = store.initialNextOid;
    this.ledger = new Ledger(store.kysely);
    this.signIns = new SignInBook(store.kysely);
    store.watchOthers((oids) => this.tell({ oids }));
  }

  /**
   * Opens the image at `location` — a file path (SQLite), or a `postgres://` URL — creating
   * it and running migrations as needed. Fails with an {@link ImageError} (`locked`,
   * `corrupt`, `io`, `migration`, `unavailable`) and leaves the image untouched.
   */
  static async open(location: string, options: ImageOptions = {}): Promise<Image> {
    // pg (and the fetch it loads) only for an image on PostgreSQL: a SQLite start skips it.
    const store = isPostgresLocation(location)
      ? await (await import('./postgres/postgres-store.ts')).PostgresStore.open(location)
      : await SqliteStore.open(location);
    return new Image(store, options);
  }

  /** Where the image is: its file, or its database URL without the password. */
  get location(): string {
    return this.store.location;
  }

  /** The committed slots of an object, loading it on first use; `undefined` if there is none. */
  read(oid: Oid): SlotMap | undefined {
    return this.committed(oid)?.slots;
  }

  /** The size of an object's stored form, in bytes; 0 when there is none. */
  storedBytes(oid: Oid): number {
    if (this.committed(oid) === undefined) return 0;
    return this.cache.bytesOf(oid) ?? 0;
  }

  /** How many committed objects `owner` owns. */
  ownedObjects(owner: string): number {
    this.assertOpen();
    return this.store.countOwned(owner);
  }

  /** The bytes `who`'s transactions added to history today (UTC), forgotten ones included. */
  historyBytesToday(who: string): number {
    this.assertOpen();
    return this.store.historyAdded(who, historyDay(new Date().toISOString()));
  }

  get nextOid(): Oid {
    return this.committedNextOid;
  }

  /**
   * Starts a transaction whose writes `guard` checks. Nothing is written until
   * {@link commit}; to roll back, drop it.
   */
  begin(info: TransactionInfo, guard?: WriteGuard): Transaction {
    this.assertOpen();
    const state = { read: (oid: Oid) => this.committed(oid), nextOid: this.committedNextOid };
    return new Transaction(state, info, guard);
  }

  /**
   * Forgets what other processes changed since the last refresh, so the next transaction
   * reads it afresh. Call before each send; with one process it costs nothing.
   */
  async refresh(): Promise<void> {
    this.assertOpen();
    const changed = await this.store.refresh();
    if (changed.oids === 'all') this.cache.clear();
    else for (const oid of changed.oids) this.cache.delete(oid);
    if (changed.nextOid !== undefined && changed.nextOid > this.committedNextOid)
      this.committedNextOid = changed.nextOid;
  }

  /**
   * Writes a transaction with its history, visible at once and durable once
   * {@link durable} resolves. Returns the transaction id, or `undefined` when it changed
   * nothing (a read-only send leaves no history). Rejects with `conflict` when another
   * send, here or in another process, changed what it read or took its new oids; the caller
   * may run it again after {@link refresh}.
   */
  async commit(tx: Transaction): Promise<number | undefined> {
    this.assertOpen();
    const changes = tx.changes();
    if (changes.length === 0) return undefined;
    const reads = tx.reads;
    this.assertCurrent(tx, reads);
    const created = tx.createdCount > 0;
    // Each object encoded once, for the store and for the cache's byte count.
    const objects: ObjectRow[] = [];
    let isPrivate = false;
    for (const [oid, slots] of tx.writes) {
      const access = accessOf(slots);
      if (!access.readable) isPrivate = true;
      objects.push({
        oid,
        slots: encodeSlots(slots),
        refs: encodeRefs(slots),
        owner: access.owner,
      });
    }
    const { info } = tx;
    const rows = changes.map(encodeChange);
    const methodIndex = methodIndexChanges(changes);
    const parentLinks = parentLinkChanges(changes);
    const bytes = rows.reduce((sum, row) => sum + changeBytes(row), 0);
    // In the same turn as a SQLite commit, so nothing commits between the check and the write.
    tx.beforeCommit(bytes);
    let id: number;
    try {
      const written = this.store.commit({
        objects,
        reads,
        ...(created ? { nextOid: { from: this.committedNextOid, to: tx.nextOid } } : {}),
        transaction: {
          at: new Date().toISOString(),
          who: info.who,
          platform: info.platform,
          channel: info.channel ?? null,
          message: info.message ?? null,
          undoOf: info.undoOf ?? null,
          private: isPrivate,
          ranAs: tx.ranAs ?? null,
          bytes,
        },
        changes: rows,
        ...(methodIndex === undefined ? {} : { methodIndex }),
        ...(parentLinks === undefined ? {} : { parentLinks }),
        alone: this.alone,
      });
      // SQLite answers at once: the cache must then change before anything else runs.
      id = typeof written === 'number' ? written : await written;
    } catch (error) {
      // What it read may be stale, and a commit cut off may have happened: read it afresh.
      for (const oid of reads.keys()) this.cache.delete(oid);
      throw error;
    }
    for (const { oid, slots } of objects)
      this.cache.set(oid, { slots: new Map(tx.writes.get(oid)), version: id }, slots.length);
    if (created) this.committedNextOid = tx.nextOid;
    this.tell({ tx: id, oids: [...tx.writes.keys()] });
    return id;
  }

  private tell(change: CommittedChange): void {
    for (const watcher of this.watchers) watcher(change);
  }

  /**
   * The change feed: `watcher` hears of every commit this process makes, once it is
   * visible, and over PostgreSQL of every other process's commit as soon as its notice
   * arrives (read it through a transaction, which refreshes first). It must not throw, nor
   * wait on the image. Returns what stops it.
   */
  watch(watcher: (change: CommittedChange) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /**
   * Resolves once every commit made so far is durable. No reply may say a send is done
   * before this resolves (SQLite syncs a whole group of commits at once here, or, with
   * `inline`, syncs at once for a send that runs alone).
   */
  durable(wait: SyncWait = 'shared'): Promise<void> {
    return this.store.durable(wait);
  }

  /**
   * Holds every other process's commits back until the returned release is called, for a
   * send that keeps conflicting with them; with one process it costs nothing.
   */
  async holdOthersBack(): Promise<Release> {
    this.assertOpen();
    const release = await this.store.holdOthersBack();
    this.alone = true;
    return async () => {
      this.alone = false;
      await release();
    };
  }

  /**
   * Waits until no other process is writing the method `key`, then holds that until
   * released: a missing method is written once, whichever process is asked first.
   */
  claim(key: string, signal?: AbortSignal): Promise<Claim> {
    this.assertOpen();
    return this.store.claim(key, signal);
  }

  /**
   * Up to `limit` objects above `after` whose parent slot names `oid`, in oid order, as
   * committed (read through the parent links' key: see `parent-links.ts`).
   */
  children(oid: Oid, after: Oid, limit: number): Promise<Oid[]> {
    this.assertOpen();
    return childrenOf(this.store.kysely, oid, after, limit);
  }

  /** Threads spoken in lately, newest first (see `thread-activity.ts`). */
  recentlySpokenIn(query: ThreadActivityQuery): Promise<Oid[]> {
    this.assertOpen();
    return recentlySpokenIn(this.store.kysely, query);
  }

  /** Transactions, newest first; only those the options name (see {@link HistoryOptions}). */
  history(options: Partial<HistoryOptions> = {}): Promise<HistoryEntry[]> {
    this.assertOpen();
    return readHistory(this.store.kysely, { limit: 20, ...options });
  }

  /**
   * Up to `limit` of `owner`'s memories (objects with a `memory*` slot) that share words with
   * `text`, best first, as committed (see `memory-search.ts`).
   */
  searchMemories(owner: Principal, text: string, limit: number): Promise<FoundMemory[]> {
    this.assertOpen();
    return searchMemories(this.store.kysely, owner, text, limit);
  }

  /**
   * Up to `limit` of `owner`'s memories nearest `vector` by the embeddings `model` made,
   * most similar first (see `memory-vectors.ts`).
   */
  nearestMemories(
    owner: Principal,
    model: string,
    vector: Float32Array,
    limit: number,
  ): Promise<NearMemory[]> {
    this.assertOpen();
    return nearestMemories(this.store.kysely, owner, model, vector, limit);
  }

  /** Up to `limit` of `owner`'s memories without an embedding from `model`, newest first. */
  memoriesWithoutVector(owner: Principal, model: string, limit: number): Promise<FoundMemory[]> {
    this.assertOpen();
    return memoriesWithoutVector(this.store.kysely, owner, model, limit);
  }

  /**
   * Keeps `model`'s embedding of `owner`'s memory `oid`, unless it is no longer theirs;
   * returns whether it was kept. Derived data, like the full-text index: not in history.
   */
  storeMemoryVector(
    owner: Principal,
    oid: Oid,
    model: string,
    vector: Float32Array,
  ): Promise<boolean> {
    this.assertOpen();
    return storeMemoryVector(this.store.kysely, owner, oid, model, vector);
  }

  /**
   * Reverts a transaction (the newest undoable one by default) in a new transaction, which
   * is returned uncommitted; or, when it cannot be reverted (a slot it changed has changed
   * since, it was already undone, …), the {@link UndoObstacle} found, and nothing is begun.
   */
  async prepareUndo(
    info: Omit<TransactionInfo, 'undoOf'>,
    which?: number | { readonly who: string },
    guard?: WriteGuard,
  ): Promise<PreparedUndo> {
    this.assertOpen();
    const target =
      typeof which === 'number' ? which : await lastUndoable(this.store.kysely, which?.who);
    if (target === undefined)
      return {
        obstacle: { kind: 'nothing', ...(typeof which === 'object' ? { who: which.who } : {}) },
      };
    const [entry] = await this.history({ tx: target, limit: 1 });
    if (entry === undefined) return { obstacle: await this.noTransaction(target) };
    if (entry.who.startsWith(SYSTEM_PREFIX))
      return { obstacle: { kind: 'system', tx: target, who: entry.who } };
    if (entry.undoneBy !== null)
      return { obstacle: { kind: 'undone', tx: target, undoneBy: entry.undoneBy } };
    const tx = this.begin({ ...info, undoOf: target }, guard);
    for (const change of [...entry.changes].reverse()) {
      if (change.slot === null) continue; // a created object stays until `collect` finds it unreachable
      const { oid, slot } = change;
      if (!tx.exists(oid)) return { obstacle: { kind: 'collected', tx: target, oid } };
      if (!slotEquals(tx.getSlot(oid, slot), change.after)) {
        const later = await this.laterChange(target, oid, slot);
        return {
          obstacle: {
            kind: 'changed-since',
            tx: target,
            oid,
            slot,
            ...(later === undefined
              ? {}
              : {
                  later: later.tx,
                  ...(later.who.startsWith(SYSTEM_PREFIX) ? { bySystem: true } : {}),
                }),
          },
        };
      }
      if (change.before?.kind === 'value')
        for (const gone of referencedOids(change.before.value))
          if (!tx.exists(gone))
            return { obstacle: { kind: 'gone-reference', tx: target, oid, slot, gone } };
      if (change.before === undefined) tx.removeSlot(oid, slot);
      else if (change.after === undefined)
        tx.insertSlot(oid, slot, change.before, change.beforeIndex ?? Infinity);
      else tx.setSlot(oid, slot, change.before);
    }
    return { tx };
  }

  /**
   * Every method that answers `selector`, on any object, in oid order (at most `limit`), from
   * just past the method `after` when given.
   */
  implementors(selector: string, limit: number, after?: MethodPlace): Promise<IndexedMethod[]> {
    this.assertOpen();
    return implementorsOf(this.store.kysely, selector, limit, after);
  }

  /**
   * The methods whose source sends `selector` (see `sendsSelector`), in oid order, among at
   * most `limit` candidates from just past `after` when given; the page says where to go on.
   */
  senders(selector: string, limit: number, after?: MethodPlace): Promise<SendersPage> {
    this.assertOpen();
    return sendersOf(this.store.kysely, selector, limit, after);
  }

  /**
   * The methods nearest `words` by the full-text rank, best first (at most `limit`, and at
   * most `NEAREST_RANKED`).
   */
  nearestMethods(words: string, limit: number): Promise<IndexedMethod[]> {
    this.assertOpen();
    return nearestMethods(this.store.kysely, words, limit);
  }

  /** The bytes the history kept holds: every change's encoded before and after. */
  historySize(): Promise<number> {
    this.assertOpen();
    return historySize(this.store.kysely);
  }

  /** How many objects there are (all, or `owner`'s), and the bytes of their stored slots. */
  objectTotals(owner?: string): Promise<ObjectTotals> {
    this.assertOpen();
    return objectTotals(this.store.kysely, owner);
  }

  /** The bytes the database takes (see `image-stats.ts`). */
  databaseBytes(): Promise<number> {
    this.assertOpen();
    return databaseBytes(this.store.kysely);
  }

  /** Objects (all, or `owner`'s) by the bytes of their slots, largest first, from `offset`. */
  largestObjects(limit: number, offset = 0, owner?: string): Promise<SizedObject[]> {
    this.assertOpen();
    return largestObjects(this.store.kysely, limit, offset, owner);
  }

  /** The objects (all, or those `owner` owns) history saw created each UTC day since `since`. */
  createdPerDay(since: string, owner?: string): Promise<DayCount[]> {
    this.assertOpen();
    return createdPerDay(this.store.kysely, since, owner);
  }

  /** The `limit` oldest transactions kept, oldest first, with their time and bytes. */
  oldestTransactions(limit: number): Promise<KeptTransaction[]> {
    this.assertOpen();
    return oldestTransactions(this.store.kysely, limit);
  }

  /**
   * Forgets transactions (their undo goes with them; objects stay as they are); returns how
   * many. Run it with nothing else committing in this process (SQLite shares one connection).
   */
  forgetHistory(which: Forgotten): Promise<number> {
    this.assertOpen();
    return forgetHistory(this.store.kysely, which);
  }

  /**
   * Persistence by reachability: deletes every object the root (oid 0) cannot reach, then
   * compacts the database. Runs in SQL over the stored reference lists. With
   * `keepHistoryDays`, also forgets transactions older than that (their undo goes with them).
   */
  async collect(options: { keepHistoryDays?: number } = {}): Promise<CollectResult> {
    this.assertOpen();
    const started = performance.now();
    const forgottenTransactions =
      options.keepHistoryDays === undefined
        ? 0
        : await this.forgetHistory({
            before: new Date(Date.now() - options.keepHistoryDays * 86_400_000).toISOString(),
          });
    const deleted = await this.store.deleteUnreachable();
    const swept = performance.now();
    this.cache.clear();
    await this.store.compact();
    return {
      deleted,
      forgottenTransactions,
      remaining: this.countObjects(),
      sweepMs: swept - started,
      compactMs: performance.now() - swept,
    };
  }

  /**
   * Copies the live image to `destination` while it keeps serving: SQLite's online backup,
   * or `pg_dump`'s custom format for PostgreSQL (restore it with `pg_restore`).
   */
  backup(destination: string): Promise<void> {
    this.assertOpen();
    return this.store.backup(destination);
  }

  /** How many WAL syncs group commit has made, for tests and benchmarks. */
  get syncCount(): number {
    return this.store.syncCount;
  }

  /** How many objects are in memory now (lazy loading keeps this small after open). */
  get cachedObjects(): number {
    return this.cache.size;
  }

  countObjects(): number {
    this.assertOpen();
    return this.store.countObjects();
  }

  /** Reads every object once, in oid order, without filling the cache. */
  *allObjects(): IterableIterator<[Oid, SlotMap]> {
    this.assertOpen();
    for (const [oid, slots] of this.store.allObjects()) yield [oid, decodeSlots(slots)];
  }

  /** The database's own integrity check: `ok`, or the problems it found. */
  integrityCheck(): string {
    this.assertOpen();
    return this.store.integrityCheck();
  }

  /** Broken references in the history tables, as the database reports them. */
  foreignKeyCheck(): unknown[] {
    this.assertOpen();
    return this.store.foreignKeyCheck();
  }

  /** Commits nothing more, makes every commit durable, and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
  }

  /** Why `target` cannot be undone when history has no such transaction. */
  private async noTransaction(target: number): Promise<UndoObstacle> {
    const [newest] = await this.history({ limit: 1 });
    const forgotten = newest !== undefined && target > 0 && target < newest.tx;
    return { kind: 'unknown', tx: target, forgotten };
  }

  private async laterChange(
    after: number,
    oid: Oid,
    slot: string,
  ): Promise<{ tx: number; who: string } | undefined> {
    const row = await this.store.kysely
      .selectFrom('changes')
      .innerJoin('transactions', 'transactions.tx', 'changes.tx')
      .select(['changes.tx as tx', 'transactions.who as who'])
      .where('changes.oid', '=', oid)
      .where('changes.slot', '=', slot)
      .where('changes.tx', '>', after)
      .orderBy('changes.tx', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : { tx: Number(row.tx), who: row.who };
  }

  /**
   * Fails with `conflict` when a send that ran beside this one committed to what this one
   * read, or created objects first (so the oids this one gave out are taken): it must run
   * again. A commit from another process is the store's to find.
   */
  private assertCurrent(tx: Transaction, reads: ReadonlyMap<Oid, number>): void {
    for (const [oid, version] of reads)
      if (this.committed(oid)?.version !== version)
        throw new ImageError('conflict', `Object #${oid} changed since this send read it.`);
    if (tx.createdCount > 0 && tx.nextOid - tx.createdCount !== this.committedNextOid)
      throw new ImageError('conflict', 'Objects were created meanwhile; their oids are taken.');
  }

  private committed(oid: Oid): CommittedObject | undefined {
    this.assertOpen();
    const cached = this.cache.get(oid);
    if (cached !== undefined) return cached;
    const row = this.store.load(oid);
    if (row === undefined) return undefined;
    const object = { slots: decodeSlots(row.slots), version: row.version };
    this.cache.set(oid, object, row.slots.length);
    return object;
  }

  private assertOpen(): void {
    if (this.closed) throw new ImageError('closed', `The image ${this.store.location} is closed.`);
  }
}

/** What ALFRED's audit reads of the image: everything, changing nothing. */
export type ImageView = Pick<
  Image,
  'allObjects' | 'integrityCheck' | 'foreignKeyCheck' | 'history' | 'countObjects'
>;

/**
 * Copies a closed image file (with its WAL, if one was left) to `destination`, 0600 in a
 * folder created 0700 whatever the image's own mode. For the steward, which backs the image
 * up while the bot is stopped.
 */
export async function backupImageFile(imagePath: string, destination: string): Promise<void> {
  await ensurePrivateDir(dirname(destination));
  await copyPrivateFile(imagePath, destination);
  for (const suffix of ['-wal', '-shm']) {
    rmSync(destination + suffix, { force: true });
    if (existsSync(imagePath + suffix))
      await copyPrivateFile(imagePath + suffix, destination + suffix);
  }
}

function encodeChange(change: SlotChange): ChangeRow {
  return {
    oid: change.oid,
    slot: change.slot,
    before: change.before === undefined ? null : encodeSlot(change.before),
    after: change.after === undefined ? null : encodeSlot(change.after),
    beforeIndex: change.beforeIndex ?? null,
  };
}
