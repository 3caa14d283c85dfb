/**
 * The image in one SQLite file, held by one process (see `database.ts` for the lock). The hot
 * path uses prepared statements on the connection kysely uses for everything else, because
 * kysely's per-query overhead is most of a small commit's cost.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { ImageError } from '../errors.ts';
import { createPrivateFile, ensurePrivateDirSync } from '../private-files.ts';
import type { Oid } from '../model/value.ts';
import { openDatabase, takeLock, translateOpenError } from './database.ts';
import { historyDay } from './history.ts';
import { migrateImage } from './migrations.ts';
import type { ImageSchema } from './schema.ts';
import type {
  Claim,
  CommitRecord,
  ImageStore,
  Invalidation,
  Release,
  StoredObject,
  SyncWait,
} from './store.ts';

/**
 * The statements every commit runs: its transaction, its author's bytes for the day, each
 * object it wrote and each change. The image bench writes the same rows bare with them, to
 * show what a commit would cost with nothing of BAT OS around these writes.
 */
export const COMMIT_SQL = {
  insertTransaction:
    'INSERT INTO transactions (at, who, platform, channel, message, undo_of, private, ran_as, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  addHistory:
    'INSERT INTO history_days (who, day, added, kept) VALUES (?, ?, ?, ?) ON CONFLICT(who, day) DO UPDATE SET added = added + excluded.added, kept = kept + excluded.kept',
  writeObject:
    'INSERT INTO objects (oid, slots, refs, owner, version) VALUES (?, ?, ?, ?, ?) ON CONFLICT(oid) DO UPDATE SET slots = excluded.slots, refs = excluded.refs, owner = excluded.owner, version = excluded.version',
  insertChange:
    'INSERT INTO changes (tx, seq, oid, slot, before, after, before_index) VALUES (?, ?, ?, ?, ?, ?, ?)',
} as const;

const NOTHING_CHANGED: Invalidation = { oids: [] };
const UNCONTESTED: Claim = { waited: false, release: () => Promise.resolve() };

export class SqliteStore implements ImageStore {
  readonly kysely: Kysely<ImageSchema>;
  readonly initialNextOid: Oid;
  private readonly statements;
  /** A commit's writes in one immediate transaction, made once (better-sqlite3 wraps it). */
  private readonly write: BetterSqlite3.Transaction<(record: CommitRecord) => number>;
  /** The WAL file, kept open to sync it (fsync applies to the file, whoever wrote it). */
  private readonly walFd: number;
  /** Commits so far, and how many of them the last completed WAL sync covers. */
  private committed = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  private syncs = 0;

  private constructor(
    readonly location: string,
    private readonly db: BetterSqlite3.Database,
    kysely: Kysely<ImageSchema>,
  ) {
    this.kysely = kysely;
    this.statements = {
      readObject: db.prepare<[Oid], StoredObject>(
        'SELECT slots, version FROM objects WHERE oid = ?',
      ),
      writeObject: db.prepare<[Oid, string, string, string, number]>(COMMIT_SQL.writeObject),
      countOwned: db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM objects WHERE owner = ?',
      ),
      writeMeta: db.prepare<[string, string]>(
        'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)',
      ),
      insertTransaction: db.prepare<
        [
          string,
          string,
          string,
          string | null,
          string | null,
          number | null,
          number,
          string | null,
          number,
        ]
      >(COMMIT_SQL.insertTransaction),
      addHistory: db.prepare<[string, string, number, number]>(COMMIT_SQL.addHistory),
      historyAdded: db.prepare<[string, string], { bytes: number }>(
        'SELECT added AS bytes FROM history_days WHERE who = ? AND day = ?',
      ),
      insertChange: db.prepare<
        [number, number, Oid, string | null, string | null, string | null, number | null]
      >(COMMIT_SQL.insertChange),
      markUndone: db.prepare<[number, number]>(
        'UPDATE transactions SET undone_by = ? WHERE tx = ?',
      ),
      indexMethod: db.prepare<
        [Oid, string, string, string, string, string | null, string, string, string]
      >(
        'INSERT INTO methods (oid, slot, selector, source, doc, provenance, name_terms, doc_terms, source_terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(oid, slot) DO UPDATE SET selector = excluded.selector, source = excluded.source, doc = excluded.doc, provenance = excluded.provenance, name_terms = excluded.name_terms, doc_terms = excluded.doc_terms, source_terms = excluded.source_terms',
      ),
      unindexMethod: db.prepare<[Oid, string]>('DELETE FROM methods WHERE oid = ? AND slot = ?'),
      linkParent: db.prepare<[Oid, Oid]>(
        'INSERT INTO parent_links (parent, child) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ),
      unlinkParent: db.prepare<[Oid, Oid]>(
        'DELETE FROM parent_links WHERE parent = ? AND child = ?',
      ),
      countObjects: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM objects'),
      allObjects: db.prepare<[], { oid: Oid; slots: string }>(
        'SELECT oid, slots FROM objects ORDER BY oid',
      ),
    };
    this.write = db.transaction((record: CommitRecord) => this.writeRecord(record));
    const next = db
      .prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'next_oid'`)
      .get();
    this.initialNextOid = Number(next?.value ?? 0);
    this.walFd = openSync(`${location}-wal`, 'r');
  }

  /** Opens (creating and migrating as needed) the image file at `path` and locks it. */
  static async open(path: string): Promise<SqliteStore> {
    const db = openDatabase(path);
    const kysely = new Kysely<ImageSchema>({ dialect: new SqliteDialect({ database: db }) });
    try {
      await migrateImage(kysely, path);
      takeLock(db, path);
      return new SqliteStore(path, db, kysely);
    } catch (error) {
      await kysely.destroy();
      if (error instanceof ImageError) throw error;
      throw translateOpenError(path, error);
    }
  }

  load(oid: Oid): StoredObject | undefined {
    return this.statements.readObject.get(oid);
  }

  countOwned(owner: string): number {
    return this.statements.countOwned.get(owner)?.n ?? 0;
  }

  historyAdded(who: string, day: string): number {
    return this.statements.historyAdded.get(who, day)?.bytes ?? 0;
  }

  countObjects(): number {
    return this.statements.countObjects.get()?.n ?? 0;
  }

  *allObjects(): IterableIterator<[Oid, string]> {
    for (const row of this.statements.allObjects.iterate()) yield [row.oid, row.slots];
  }

  /**
   * Writes at once, in the caller's turn: the image has already checked in memory that what
   * the send read is current (one process holds the file, so the image sees every commit).
   */
  commit(record: CommitRecord): number {
    const id = this.write.immediate(record);
    this.committed += 1;
    return id;
  }

  /** Writes `record` with the cached statements, inside the open transaction. */
  private writeRecord(record: CommitRecord): number {
    const s = this.statements;
    const { transaction: t } = record;
    const id = Number(
      s.insertTransaction.run(
        t.at,
        t.who,
        t.platform,
        t.channel,
        t.message,
        t.undoOf,
        t.private ? 1 : 0,
        t.ranAs,
        t.bytes,
      ).lastInsertRowid,
    );
    s.addHistory.run(t.who, historyDay(t.at), t.bytes, t.bytes);
    for (const o of record.objects) s.writeObject.run(o.oid, o.slots, o.refs, o.owner, id);
    if (record.nextOid !== undefined) s.writeMeta.run('next_oid', String(record.nextOid.to));
    record.changes.forEach((c, seq) =>
      s.insertChange.run(id, seq, c.oid, c.slot, c.before, c.after, c.beforeIndex),
    );
    if (t.undoOf !== null) s.markUndone.run(id, t.undoOf);
    // After the objects: an index row names its object. FTS5 follows by trigger.
    for (const m of record.methodIndex?.remove ?? []) s.unindexMethod.run(m.oid, m.slot);
    for (const m of record.methodIndex?.upsert ?? [])
      s.indexMethod.run(
        m.oid,
        m.slot,
        m.selector,
        m.source,
        m.doc,
        m.provenance,
        m.nameTerms,
        m.docTerms,
        m.sourceTerms,
      );
    for (const l of record.parentLinks?.remove ?? []) s.unlinkParent.run(l.parent, l.child);
    for (const l of record.parentLinks?.add ?? []) s.linkParent.run(l.parent, l.child);
    return id;
  }

  /**
   * Group commit: a commit is written at once (readers see it) but synced here, off the main
   * thread, so the sends that arrive during one sync run meanwhile and are made durable
   * together by the next. A crash before it loses only sends never acknowledged, all of a
   * group together, in commit order (the WAL is a log). An `inline` wait with no sync in
   * flight syncs in this turn instead: SQLite's own way, and the quickest for a lone send.
   */
  durable(wait: SyncWait = 'shared'): Promise<void> {
    const target = this.committed;
    if (this.synced >= target) return Promise.resolve();
    if (wait === 'inline' && this.syncing === undefined) {
      try {
        this.syncs += 1;
        fdatasyncSync(this.walFd);
        this.synced = target;
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(this.syncFailure(error));
      }
    }
    return this.syncUntil(target);
  }

  refresh(): Promise<Invalidation> {
    return Promise.resolve(NOTHING_CHANGED);
  }

  /** One process holds the file: no other commits to hear of. */
  watchOthers(): () => void {
    return () => {};
  }

  claim(): Promise<Claim> {
    return Promise.resolve(UNCONTESTED);
  }

  /** One process holds the file: there is nobody to hold back. */
  holdOthersBack(): Promise<Release> {
    return Promise.resolve(() => Promise.resolve());
  }

  async deleteUnreachable(): Promise<number> {
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
    return Number(numDeletedRows);
  }

  compact(): Promise<void> {
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return Promise.resolve();
  }

  /** SQLite's online backup, into a new 0600 file: the image keeps serving while it is copied. */
  async backup(destination: string): Promise<void> {
    ensurePrivateDirSync(dirname(destination));
    const partial = `${destination}.partial`;
    rmSync(partial, { force: true });
    createPrivateFile(partial);
    await this.db.backup(partial);
    renameSync(partial, destination);
  }

  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('\n');
  }

  foreignKeyCheck(): unknown[] {
    return this.db.pragma('foreign_key_check') as unknown[];
  }

  get syncCount(): number {
    return this.syncs;
  }

  /** Checkpoints the WAL into the main file and releases the lock. */
  async close(): Promise<void> {
    await this.durable();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    closeSync(this.walFd);
    await this.kysely.destroy();
  }

  private syncFailure(error: unknown): ImageError {
    return new ImageError('io', `Could not sync the image ${this.location}: ${String(error)}`, {
      cause: error,
    });
  }

  private async syncUntil(target: number): Promise<void> {
    while (this.synced < target) {
      if (this.syncing === undefined) {
        const covers = this.committed;
        this.syncs += 1;
        // fdatasync, as SQLite itself syncs on Linux: the WAL's data and its length.
        this.syncing = new Promise<void>((resolve, reject) =>
          fdatasync(this.walFd, (error) => (error ? reject(error) : resolve())),
        ).then(
          () => {
            this.synced = Math.max(this.synced, covers);
            this.syncing = undefined;
          },
          (error: unknown) => {
            this.syncing = undefined;
            throw this.syncFailure(error);
          },
        );
      }
      await this.syncing;
    }
  }
}
