/**
 * The living image: every object, persisted in one SQLite file.
 *
 * Objects load lazily into a cache; a send works in a {@link Transaction} that buffers its
 * writes, and {@link Image.commit} writes them, with their history, in one durable SQLite
 * transaction. The hot path uses prepared statements on the same connection kysely uses for
 * everything else, because kysely's per-query overhead is most of a small commit's cost.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { accessOf } from '../access/object-access.ts';
import { ImageError, SendError } from '../errors.ts';
import { referencedOids, slotEquals, type Oid } from '../model/value.ts';
import { decodeSlots, encodeRefs, encodeSlot, encodeSlots, type SlotMap } from './codec.ts';
import { openDatabase, takeLock, translateOpenError } from './database.ts';
import {
  forgetHistoryBefore,
  lastUndoable,
  readHistory,
  SYSTEM_PREFIX,
  type HistoryEntry,
} from './history.ts';
import { imageMigrations } from './migrations.ts';
import { ObjectCache } from './object-cache.ts';
import type { ImageSchema } from './schema.ts';
import { Transaction, type TransactionInfo, type WriteGuard } from './transaction.ts';

export interface ImageOptions {
  /** How many objects to keep in memory (default 200,000). */
  readonly cacheSize?: number;
  /** How many bytes of objects (their stored form) to keep in memory (default 256 MiB). */
  readonly cacheBytes?: number;
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
  private readonly cache: ObjectCache;
  private readonly statements;
  private committedNextOid: Oid;
  private closed = false;
  /** The WAL file, kept open to sync it (fsync applies to the file, whoever wrote it). */
  private readonly walFd: number;
  /** Commits so far, and how many of them the last completed WAL sync covers. */
  private committed = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  private syncs = 0;

  private constructor(
    readonly path: string,
    private readonly db: BetterSqlite3.Database,
    private readonly kysely: Kysely<ImageSchema>,
    options: ImageOptions,
  ) {
    this.cache = new ObjectCache(options.cacheSize ?? 200_000, options.cacheBytes ?? 256 << 20);
    this.statements = {
      readObject: db.prepare<[Oid], { slots: string }>('SELECT slots FROM objects WHERE oid = ?'),
      writeObject: db.prepare<[Oid, string, string, string]>(
        'INSERT INTO objects (oid, slots, refs, owner) VALUES (?, ?, ?, ?) ON CONFLICT(oid) DO UPDATE SET slots = excluded.slots, refs = excluded.refs, owner = excluded.owner',
      ),
      countOwned: db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM objects WHERE owner = ?',
      ),
      writeMeta: db.prepare<[string, string]>(
        'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)',
      ),
      insertTransaction: db.prepare<
        [string, string, string, string | null, string | null, number | null, number, string | null]
      >(
        'INSERT INTO transactions (at, who, platform, channel, message, undo_of, private, ran_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertChange: db.prepare<
        [number, number, Oid, string | null, string | null, string | null, number | null]
      >(
        'INSERT INTO changes (tx, seq, oid, slot, before, after, before_index) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      markUndone: db.prepare<[number, number]>(
        'UPDATE transactions SET undone_by = ? WHERE tx = ?',
      ),
      countObjects: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM objects'),
      allObjects: db.prepare<[], { oid: Oid; slots: string }>('SELECT oid, slots FROM objects'),
    };
    const next = db
      .prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'next_oid'`)
      .get();
    this.committedNextOid = Number(next?.value ?? 0);
    this.walFd = openSync(`${path}-wal`, 'r');
  }

  /**
   * Opens the image at `path`, creating it and running migrations as needed. Fails with an
   * {@link ImageError} (`locked`, `corrupt`, `io`, `migration`) and leaves the file untouched.
   */
  static async open(path: string, options: ImageOptions = {}): Promise<Image> {
    const db = openDatabase(path);
    const kysely = new Kysely<ImageSchema>({ dialect: new SqliteDialect({ database: db }) });
    try {
      const { error, results } = await new Migrator({
        db: kysely,
        provider: imageMigrations,
      }).migrateToLatest();
      if (error !== undefined) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName;
        throw new ImageError(
          'migration',
          `Migrating the image ${path} failed${failed ? ` at ${failed}` : ''}: ${String(error)}`,
          { cause: error },
        );
      }
      takeLock(db, path);
      return new Image(path, db, kysely, options);
    } catch (error) {
      await kysely.destroy();
      if (error instanceof ImageError) throw error;
      throw translateOpenError(path, error);
    }
  }

  /** The committed slots of an object, loading it on first use; `undefined` if there is none. */
  read(oid: Oid): SlotMap | undefined {
    this.assertOpen();
    const cached = this.cache.get(oid);
    if (cached !== undefined) return cached;
    const row = this.statements.readObject.get(oid);
    if (row === undefined) return undefined;
    const slots = decodeSlots(row.slots);
    this.cache.set(oid, slots, row.slots.length);
    return slots;
  }

  /** The size of an object's stored form, in bytes; 0 when there is none. */
  storedBytes(oid: Oid): number {
    if (this.read(oid) === undefined) return 0;
    return this.cache.bytesOf(oid) ?? 0;
  }

  /** How many committed objects `owner` owns. */
  ownedObjects(owner: string): number {
    this.assertOpen();
    return this.statements.countOwned.get(owner)?.n ?? 0;
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
    return new Transaction(this, info, guard);
  }

  /**
   * Writes a transaction with its history, visible at once and durable once
   * {@link durable} resolves. Returns the transaction id, or `undefined` when it changed
   * nothing (a read-only send leaves no history).
   */
  commit(tx: Transaction): number | undefined {
    this.assertOpen();
    const changes = tx.changes();
    const nextOid = tx.nextOid;
    if (changes.length === 0 && nextOid === this.committedNextOid) return undefined;
    const s = this.statements;
    const encoded = new Map<Oid, string>();
    let isPrivate = false;
    for (const [oid, slots] of tx.writes) {
      encoded.set(oid, encodeSlots(slots));
      if (!accessOf(slots).readable) isPrivate = true;
    }
    const write = this.db.transaction((): number => {
      for (const [oid, slots] of tx.writes)
        s.writeObject.run(oid, encoded.get(oid)!, encodeRefs(slots), accessOf(slots).owner);
      if (nextOid !== this.committedNextOid) s.writeMeta.run('next_oid', String(nextOid));
      const { info } = tx;
      const id = Number(
        s.insertTransaction.run(
          new Date().toISOString(),
          info.who,
          info.platform,
          info.channel ?? null,
          info.message ?? null,
          info.undoOf ?? null,
          isPrivate ? 1 : 0,
          tx.ranAs ?? null,
        ).lastInsertRowid,
      );
      changes.forEach((c, seq) =>
        s.insertChange.run(
          id,
          seq,
          c.oid,
          c.slot,
          c.before === undefined ? null : encodeSlot(c.before),
          c.after === undefined ? null : encodeSlot(c.after),
          c.beforeIndex ?? null,
        ),
      );
      if (info.undoOf !== undefined) s.markUndone.run(id, info.undoOf);
      return id;
    });
    const id = write.immediate();
    this.committed += 1;
    for (const [oid, slots] of tx.writes)
      this.cache.set(oid, new Map(slots), encoded.get(oid)!.length);
    this.committedNextOid = nextOid;
    return id;
  }

  /**
   * Resolves once every commit made so far is on disk. Group commit: a commit is written at
   * once (readers see it) but synced here, off the main thread, so the sends that arrive
   * during one sync run meanwhile and are made durable together by the next. No reply may
   * say a send is done before this resolves; a crash before it loses only sends that were
   * never acknowledged, all of a group together, in commit order (the WAL is a log).
   */
  durable(): Promise<void> {
    const target = this.committed;
    if (this.synced >= target) return Promise.resolve();
    return this.syncUntil(target);
  }

  private async syncUntil(target: number): Promise<void> {
    while (this.synced < target) {
      if (this.syncing === undefined) {
        const covers = this.committed;
        this.syncs += 1;
        this.syncing = new Promise<void>((resolve, reject) =>
          fsync(this.walFd, (error) => (error ? reject(error) : resolve())),
        ).then(
          () => {
            this.synced = Math.max(this.synced, covers);
            this.syncing = undefined;
          },
          (error: unknown) => {
            this.syncing = undefined;
            throw new ImageError('io', `Could not sync the image ${this.path}: ${String(error)}`, {
              cause: error,
            });
          },
        );
      }
      await this.syncing;
    }
  }

  /** Transactions, newest first; only those that changed `oid` when given. */
  history(options: { oid?: Oid; limit?: number; tx?: number } = {}): Promise<HistoryEntry[]> {
    this.assertOpen();
    return readHistory(this.kysely, { limit: 20, ...options });
  }

  /**
   * Reverts a transaction (the newest undoable one by default) in a new transaction, which
   * is returned uncommitted. Refused, with the reason, when any slot it changed has changed
   * since, or when it was already undone.
   */
  async prepareUndo(
    info: Omit<TransactionInfo, 'undoOf'>,
    which?: number | { readonly who: string },
    guard?: WriteGuard,
  ): Promise<Transaction> {
    this.assertOpen();
    const target = typeof which === 'number' ? which : await lastUndoable(this.kysely, which?.who);
    if (target === undefined)
      throw new SendError(
        'undo-refused',
        which === undefined ? 'There is nothing to undo.' : 'You have nothing left to undo.',
      );
    const [entry] = await this.history({ tx: target, limit: 1 });
    if (entry === undefined)
      throw new SendError('undo-refused', `There is no transaction ${target} to undo.`);
    if (entry.who.startsWith(SYSTEM_PREFIX))
      throw new SendError(
        'undo-refused',
        `Transaction ${target} was made by BAT OS itself (${entry.who}) and cannot be undone.`,
      );
    if (entry.undoneBy !== null)
      throw new SendError(
        'undo-refused',
        `Transaction ${target} was already undone by transaction ${entry.undoneBy}.`,
      );
    const tx = this.begin({ ...info, undoOf: target }, guard);
    for (const change of [...entry.changes].reverse()) {
      if (change.slot === null) continue; // a created object stays until `collect` finds it unreachable
      if (!tx.exists(change.oid))
        throw new SendError(
          'undo-refused',
          `Cannot undo transaction ${target}: object #${change.oid} no longer exists (it was collected).`,
        );
      if (!slotEquals(tx.getSlot(change.oid, change.slot), change.after)) {
        const later = await this.laterChange(target, change.oid, change.slot);
        throw new SendError(
          'undo-refused',
          `Cannot undo transaction ${target}: slot "${change.slot}" of #${change.oid} has changed since${later ? ` (transaction ${later})` : ''}. Undo that first.`,
        );
      }
      if (change.before?.kind === 'value')
        for (const gone of referencedOids(change.before.value))
          if (!tx.exists(gone))
            throw new SendError(
              'undo-refused',
              `Cannot undo transaction ${target}: it would put back a reference to #${gone} in slot "${change.slot}" of #${change.oid}, and #${gone} no longer exists (\`collect\` removed it once nothing referred to it). Nothing was changed; set the slot by hand if you still need it.`,
            );
      if (change.before === undefined) tx.removeSlot(change.oid, change.slot);
      else if (change.after === undefined)
        tx.insertSlot(change.oid, change.slot, change.before, change.beforeIndex ?? Infinity);
      else tx.setSlot(change.oid, change.slot, change.before);
    }
    return tx;
  }

  /**
   * Persistence by reachability: deletes every object the root (oid 0) cannot reach, then
   * compacts the file. Runs in SQL over the stored reference lists. With `keepHistoryDays`,
   * also forgets transactions older than that (their undo goes with them).
   */
  async collect(options: { keepHistoryDays?: number } = {}): Promise<CollectResult> {
    this.assertOpen();
    const started = performance.now();
    const forgottenTransactions =
      options.keepHistoryDays === undefined
        ? 0
        : await forgetHistoryBefore(
            this.kysely,
            new Date(Date.now() - options.keepHistoryDays * 86_400_000).toISOString(),
          );
    const { numDeletedRows } = await this.kysely
      .withRecursive('reach(oid)', (db) =>
        db.selectNoFrom(sql<number>`0`.as('oid')).union(
          db
            .selectFrom(['reach', 'objects', sql`json_each(objects.refs)`.as('j')])
            .whereRef('objects.oid', '=', 'reach.oid')
            .select(sql<number>`j.value`.as('oid')),
        ),
      )
      .deleteFrom('objects')
      .where('oid', 'not in', (db) => db.selectFrom('reach').select('oid'))
      .executeTakeFirst();
    const swept = performance.now();
    this.cache.clear();
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return {
      deleted: Number(numDeletedRows),
      forgottenTransactions,
      remaining: this.countObjects(),
      sweepMs: swept - started,
      compactMs: performance.now() - swept,
    };
  }

  /** Copies the live image to `destination` while it keeps serving (SQLite's online backup). */
  async backup(destination: string): Promise<void> {
    this.assertOpen();
    mkdirSync(dirname(destination), { recursive: true });
    const partial = `${destination}.partial`;
    rmSync(partial, { force: true });
    await this.db.backup(partial);
    renameSync(partial, destination);
  }

  /** How many WAL syncs group commit has made, for tests and benchmarks. */
  get syncCount(): number {
    return this.syncs;
  }

  /** How many objects are in memory now (lazy loading keeps this small after open). */
  get cachedObjects(): number {
    return this.cache.size;
  }

  countObjects(): number {
    this.assertOpen();
    return this.statements.countObjects.get()?.n ?? 0;
  }

  /** Reads every object once, in oid order, without filling the cache. */
  *allObjects(): IterableIterator<[Oid, SlotMap]> {
    this.assertOpen();
    for (const row of this.statements.allObjects.iterate()) yield [row.oid, decodeSlots(row.slots)];
  }

  /** SQLite's own integrity check: `ok`, or the problems it found. */
  integrityCheck(): string {
    this.assertOpen();
    const rows = this.db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('\n');
  }

  /** Foreign-key violations in the history tables, as SQLite reports them. */
  foreignKeyCheck(): unknown[] {
    this.assertOpen();
    return this.db.pragma('foreign_key_check') as unknown[];
  }

  /** Commits nothing more, checkpoints the WAL into the main file, and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.durable();
    this.closed = true;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    closeSync(this.walFd);
    await this.kysely.destroy();
  }

  private async laterChange(after: number, oid: Oid, slot: string): Promise<number | undefined> {
    const row = await this.kysely
      .selectFrom('changes')
      .select('tx')
      .where('oid', '=', oid)
      .where('slot', '=', slot)
      .where('tx', '>', after)
      .orderBy('tx', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.tx;
  }

  private assertOpen(): void {
    if (this.closed) throw new ImageError('closed', `The image ${this.path} is closed.`);
  }
}

/** What ALFRED's audit reads of the image: everything, changing nothing. */
export type ImageView = Pick<
  Image,
  'allObjects' | 'integrityCheck' | 'foreignKeyCheck' | 'history' | 'countObjects'
>;

/**
 * Copies a closed image file (with its WAL, if one was left) to `destination`. For the
 * steward, which backs the image up while the bot is stopped.
 */
export function backupImageFile(imagePath: string, destination: string): void {
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(imagePath, destination);
  for (const suffix of ['-wal', '-shm']) {
    rmSync(destination + suffix, { force: true });
    if (existsSync(imagePath + suffix)) copyFileSync(imagePath + suffix, destination + suffix);
  }
}
