/**
 * The image in PostgreSQL, shared by any number of BAT OS processes.
 *
 * Each commit first locks the objects the send read (FOR SHARE) and writes (FOR UPDATE), in
 * oid order, and checks that each still has the version the send read (the id of the
 * transaction that last wrote it); if another send got there first, the commit fails with
 * `conflict` and the UVM runs the send again. Row locks, not SERIALIZABLE's page-level
 * predicate locks, so sends on different objects never abort each other. Reads that
 * miss the cache are synchronous (see `sync-reader.ts`); coherence between the processes'
 * caches comes from LISTEN/NOTIFY (see `change-feed.ts`); a missing method is claimed with an
 * advisory lock, so only one process writes it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ImageError } from '../../errors.ts';
import type { Oid } from '../../model/value.ts';
import { historyDay } from '../history.ts';
import { migrateImage } from '../migrations.ts';
import type { ImageSchema } from '../schema.ts';
import {
  type Claim,
  type CommitRecord,
  type ImageStore,
  type Invalidation,
  type Release,
  type StoredObject,
} from '../store.ts';
import { ChangeFeed, CHANGES_CHANNEL, changeNotice, SOLE_LOCK } from './change-feed.ts';
import { CommitBatches } from './commit-batches.ts';
import { dumpDatabase } from './dump.ts';
import { writeCommits } from './write-commit.ts';
import { translatePgError } from './errors.ts';
import { redactedLocation } from './location.ts';
import { SyncReader } from './sync-reader.ts';

/**
 * Connections for everything but commits (history, undo, the ledger, collect): reads run
 * beside sends, so they have their own, and never queue behind a commit.
 */
const OTHER_WORK_CONNECTIONS = 4;
/**
 * Commit statements out at once, each on a connection of its own; the commits that become
 * ready meanwhile wait and go together in the next (see `commit-batches.ts`).
 */
const COMMIT_STATEMENTS = 2;
/** Per-day history totals remembered before the memory starts over. */
const MAX_HISTORY_TOTALS = 10_000;
/** Objects per page when reading the whole image. */
const PAGE = 1_000;
/** How often a process waiting for another's method claim looks again. */
const CLAIM_POLL_MS = 50;
/**
 * The gate every commit passes in shared mode, and a send that keeps losing holds alone
 * (see {@link PostgresStore.holdOthersBack}): an advisory lock key no other use takes.
 */
const COMMIT_GATE = [0x42_41_54, 0x47_41_54_45] as const;

export class PostgresStore implements ImageStore {
  readonly syncCount = 0;
  /** This process's name in change notices. */
  private readonly process = randomUUID();
  private readonly reader: SyncReader;
  private readonly feed: ChangeFeed;
  /** The session that holds the commit gate when this process needs it alone. */
  private gate: pg.Client | undefined;
  /**
   * Bytes each author added to history on a day, as the last commit or read here found
   * them, until the change feed says another process committed for that author: the daily
   * budget's check reads them without a round trip.
   */
  private readonly historyTotals = new Map<string, number>();
  private readonly batches: CommitBatches;

  private constructor(
    private readonly url: string,
    readonly location: string,
    readonly kysely: Kysely<ImageSchema>,
    /** One connection per commit statement out at once. */
    private readonly commits: pg.Pool,
    readonly initialNextOid: Oid,
  ) {
    this.reader = new SyncReader(url, location);
    this.feed = new ChangeFeed(url, location, this.process);
    this.batches = new CommitBatches(
      (sends) =>
        this.feed.committing(
          (alone) =>
            writeCommits(commits, {
              sends,
              alone,
              sole: SOLE_LOCK,
              // A send that holds the gate commits alone (see commit-batches.ts).
              passGate: !sends[0]!.record.alone,
              gate: COMMIT_GATE,
            }),
          () =>
            commits.query(`SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice`, [
              CHANGES_CHANNEL,
              sends.map((send) => send.notice),
            ]),
        ),
      COMMIT_STATEMENTS,
      (error) => translatePgError(location, error),
    );
  }

  /** Connects to the database at `url`, creating and migrating the image as needed. */
  static async open(url: string): Promise<PostgresStore> {
    const location = redactedLocation(url);
    const commits = connectionPool(url, COMMIT_STATEMENTS);
    const kysely = new Kysely<ImageSchema>({
      dialect: new PostgresDialect({ pool: connectionPool(url, OTHER_WORK_CONNECTIONS) }),
    });
    try {
      // Reach the server first, so "unreachable" is not reported as a failed migration.
      await sql`SELECT 1`.execute(kysely);
      // kysely's migrator locks its own table, so processes starting together migrate once.
      await migrateImage(kysely, location);
      const next = await kysely
        .selectFrom('meta')
        .select('value')
        .where('key', '=', 'next_oid')
        .executeTakeFirst();
      const store = new PostgresStore(url, location, kysely, commits, Number(next?.value ?? 0));
      try {
        // Not a refresh: the image's first refresh must hear the next free oid joining read.
        await store.feed.join();
      } catch (error) {
        // The pool goes below; the reader's thread and the feed go here.
        await store.feed.close();
        await store.reader.close();
        throw error;
      }
      return store;
    } catch (error) {
      await kysely.destroy();
      await commits.end();
      throw translatePgError(location, error);
    }
  }

  load(oid: Oid): StoredObject | undefined {
    return this.reader.query<StoredObject>('SELECT slots, version FROM objects WHERE oid = $1', [
      oid,
    ])[0];
  }

  countOwned(owner: string): number {
    return this.count('SELECT count(*) AS n FROM objects WHERE owner = $1', [owner]);
  }

  historyAdded(who: string, day: string): number {
    const key = historyKey(who, day);
    let added = this.historyTotals.get(key);
    if (added === undefined) {
      added = this.count('SELECT added AS n FROM history_days WHERE who = $1 AND day = $2', [
        who,
        day,
      ]);
      this.rememberHistory(key, added);
    }
    return added;
  }

  countObjects(): number {
    return this.count('SELECT count(*) AS n FROM objects');
  }

  *allObjects(): IterableIterator<[Oid, string]> {
    for (let after = -1; ;) {
      const rows = this.reader.query<{ oid: Oid; slots: string }>(
        'SELECT oid, slots FROM objects WHERE oid > $1 ORDER BY oid LIMIT $2',
        [after, PAGE],
      );
      for (const row of rows) yield [row.oid, row.slots];
      if (rows.length < PAGE) return;
      after = rows.at(-1)!.oid;
    }
  }

  /**
   * One statement, one round trip, shared with the commits of other sends ready at the same
   * time (see `commit-batches.ts`); a failed check fails this send alone.
   */
  async commit(record: CommitRecord): Promise<number> {
    const { who, at } = record.transaction;
    const written = await this.batches.commit({
      record,
      notice: changeNotice(
        this.process,
        record.nextOid?.to,
        record.objects.map((o) => o.oid),
        who,
      ),
    });
    if ('conflict' in written) throw new ImageError('conflict', written.conflict);
    this.rememberHistory(historyKey(who, historyDay(at)), written.addedToday);
    return written.tx;
  }

  /** PostgreSQL made the commit durable before it answered. */
  durable(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * What other processes changed. Their authors' history totals are kept as their commits
   * reported them (a day's total only grows, so the larger of that and what this process
   * knew); one changed without a report is read afresh when asked.
   */
  async refresh(): Promise<Invalidation> {
    const { authors, totals, ...changed } = await this.feed.refresh();
    if (changed.oids === 'all' || authors === 'all') {
      this.historyTotals.clear();
      return changed;
    }
    for (const { who, day, added } of totals) {
      const key = historyKey(who, day);
      this.rememberHistory(key, Math.max(added, this.historyTotals.get(key) ?? 0));
    }
    if (authors.length > 0)
      for (const key of this.historyTotals.keys())
        if (authors.includes(key.slice(0, key.indexOf('\n')))) this.historyTotals.delete(key);
    return changed;
  }

  /** Other processes' commits, from the change feed's notices as they arrive. */
  watchOthers(listener: (oids: readonly Oid[] | 'all') => void): () => void {
    return this.feed.hear(listener);
  }

  /**
   * A session advisory lock on its own connection: if this process dies while writing, the
   * server ends the session and the lock goes with it.
   */
  async claim(key: string, signal?: AbortSignal): Promise<Claim> {
    const [high, low] = lockKeys(key);
    let client: pg.Client | undefined;
    let waited = false;
    try {
      client = await this.connect();
      while (
        !(
          await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS held', [
            high,
            low,
          ])
        ).rows[0]?.held
      ) {
        waited = true;
        if (signal?.aborted)
          throw new ImageError(
            'cancelled',
            `The wait to claim ${key} was given up; nothing was claimed or changed.`,
          );
        await sleep(CLAIM_POLL_MS);
      }
    } catch (error) {
      await client?.end().catch(() => {});
      throw translatePgError(this.location, error);
    }
    return {
      waited,
      // Ending the session releases the lock, whatever state the connection is in.
      release: () => client.end().catch(() => {}),
    };
  }

  /**
   * The gate in exclusive mode, on a session kept for it (this process runs one send at a
   * time, so one session is enough); if the session dies, the server opens the gate.
   */
  async holdOthersBack(): Promise<Release> {
    try {
      this.gate ??= await this.connect();
      await this.gate.query('SELECT pg_advisory_lock($1, $2)', [...COMMIT_GATE]);
    } catch (error) {
      this.dropGate();
      throw translatePgError(this.location, error);
    }
    const gate = this.gate;
    return async () => {
      try {
        await gate.query('SELECT pg_advisory_unlock($1, $2)', [...COMMIT_GATE]);
      } catch {
        if (this.gate === gate) this.dropGate();
      }
    };
  }

  /**
   * One statement over the stored reference lists, with the commit gate held alone, so no
   * commit can make a doomed object reachable meanwhile.
   */
  async deleteUnreachable(): Promise<number> {
    try {
      return await this.kysely.transaction().execute(async (trx) => {
        // No commit runs meanwhile: one could make a doomed object reachable again.
        await sql`SELECT pg_advisory_xact_lock(${COMMIT_GATE[0]}, ${COMMIT_GATE[1]})`.execute(trx);
        // As every commit of a process not alone over the image (see change-feed.ts).
        if (!this.feed.alone)
          await sql`SELECT pg_advisory_xact_lock_shared(${SOLE_LOCK[0]}, ${SOLE_LOCK[1]})`.execute(
            trx,
          );
        const { rows } = await sql<{ n: number }>`
            WITH RECURSIVE reach(oid) AS (
              SELECT 0
              UNION
              SELECT j.value::integer
              FROM reach
              JOIN objects ON objects.oid = reach.oid
              CROSS JOIN LATERAL jsonb_array_elements_text(objects.refs::jsonb) AS j(value)
            ),
            gone AS (DELETE FROM objects WHERE oid NOT IN (SELECT oid FROM reach) RETURNING oid)
            SELECT count(*)::integer AS n FROM gone`.execute(trx);
        const deleted = rows[0]?.n ?? 0;
        if (deleted > 0) await this.notify(trx, undefined, 'all');
        return deleted;
      });
    } catch (error) {
      throw translatePgError(this.location, error);
    }
  }

  /** VACUUM makes the space of deleted rows reusable; it runs outside any transaction. */
  async compact(): Promise<void> {
    try {
      await sql`VACUUM (ANALYZE) objects, transactions, changes`.execute(this.kysely);
    } catch (error) {
      throw translatePgError(this.location, error);
    }
  }

  /** `pg_dump` in its custom format, while the image keeps serving; `pg_restore` reads it. */
  backup(destination: string): Promise<void> {
    return dumpDatabase(this.url, destination);
  }

  /**
   * PostgreSQL's own index checks (the `amcheck` extension, where installed) and the image's
   * invariants: every object's slots parse, and no object is at or beyond the next free oid.
   */
  integrityCheck(): string {
    const problems: string[] = [];
    const amcheck = this.reader.query(`SELECT 1 FROM pg_extension WHERE extname = 'amcheck'`);
    if (amcheck.length > 0)
      for (const { index } of this.reader.query<{ index: string }>(
        `SELECT c.relname AS index FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_class t ON t.oid = i.indrelid
           JOIN pg_am a ON a.oid = c.relam
         WHERE a.amname = 'btree' AND t.relname IN ('objects', 'transactions', 'changes', 'meta')`,
      ))
        try {
          this.reader.query('SELECT bt_index_check($1::regclass)', [index]);
        } catch (error) {
          problems.push(`index ${index}: ${(error as Error).message}`);
        }
    try {
      for (const { oid } of this.reader.query<{ oid: Oid }>(
        `SELECT oid FROM objects WHERE jsonb_typeof(slots::jsonb) <> 'array' LIMIT 10`,
      ))
        problems.push(`object #${oid}: its slots are not a list`);
    } catch (error) {
      problems.push(`an object's slots do not parse: ${(error as Error).message}`);
    }
    const [beyond] = this.reader.query<{ oid: Oid | null; next: string | null }>(
      `SELECT max(oid) AS oid, (SELECT value FROM meta WHERE key = 'next_oid') AS next FROM objects`,
    );
    if (beyond?.oid != null && beyond.oid >= Number(beyond.next ?? 0))
      problems.push(`object #${beyond.oid} is at or beyond the next free oid ${beyond.next}`);
    return problems.length === 0 ? 'ok' : problems.join('\n');
  }

  /** PostgreSQL enforces the history tables' foreign keys on every write: none can be broken. */
  foreignKeyCheck(): unknown[] {
    return [];
  }

  async close(): Promise<void> {
    this.dropGate();
    await this.feed.close();
    await this.reader.close();
    await this.kysely.destroy();
    await this.commits.end();
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  private dropGate(): void {
    void this.gate?.end().catch(() => {});
    this.gate = undefined;
  }

  private rememberHistory(key: string, added: number): void {
    if (this.historyTotals.size >= MAX_HISTORY_TOTALS) this.historyTotals.clear();
    this.historyTotals.set(key, added);
  }

  private count(text: string, values: unknown[] = []): number {
    return Number(this.reader.query<{ n: string }>(text, values)[0]?.n ?? 0);
  }

  private async notify(
    trx: Kysely<ImageSchema>,
    nextOid: Oid | undefined,
    oids: readonly Oid[] | 'all',
  ): Promise<void> {
    await sql`SELECT pg_notify(${CHANGES_CHANNEL}, ${changeNotice(this.process, nextOid, oids, 'all')})`.execute(
      trx,
    );
  }
}

/** The key of an author's history total for a day. */
function historyKey(who: string, day: string): string {
  return `${who}\n${day}`;
}

/**
 * A pool of `max` connections. A connection the server dropped (a restart) errors: an idle
 * one here, one in use on the client (its query fails with the error, which becomes
 * `unavailable`). Neither may crash the process; the pool connects afresh for the next query.
 */
function connectionPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 10_000,
    // A server that stops answering fails the send instead of hanging it. Collect is the
    // longest query: about a second per 100,000 objects.
    query_timeout: 60_000,
  });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Two 32-bit advisory lock keys from a method's key, stable across processes. */
function lockKeys(key: string): [number, number] {
  const digest = createHash('sha256').update(`batos-method:${key}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}
