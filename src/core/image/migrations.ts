/**
 * The image's schema, created and evolved by kysely migrations. Add a migration; never edit
 * one that has shipped: images in the field have already run it.
 */
import {
  DEFAULT_MIGRATION_TABLE,
  Migrator,
  sql,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type RawBuilder,
} from 'kysely';
import { ImageError } from '../errors.ts';
import { decodeSlots, encodeSlots } from './codec.ts';
import { onPostgres } from './dialect.ts';
import { methodIndexRow, methodsRow } from './method-index.ts';
import type { ImageSchema } from './schema.ts';
import { MEMORY_SLOT, SQLITE_OWNER_TOKEN } from './memory-search.ts';
import { isRef, PARENT_SLOT, type Slot, type Value } from '../model/value.ts';
import { parentsIn } from './parent-links.ts';
import { TURNS_SLOT } from '../model/thread-turns.ts';

/** The commit checks' first parameters: how to pass the gates, and what to lock. */
const GATES_AND_LOCKS = sql.raw(`pass_sole boolean, sole_a integer, sole_b integer,
          pass_gate boolean, gate_a integer, gate_b integer,
          written integer[], read_only integer[]`);
/** The commit checks' variables for what {@link PASS_SOLE_AND_LOCK} found. */
const FOUND = sql.raw(`found_oids integer[];
          found_versions integer[];`);
/**
 * The commit checks' first steps: fail (BA001) while another process holds the image
 * alone, then lock what the commits read and write, in oid order, keeping the versions found.
 */
const PASS_SOLE_AND_LOCK =
  sql.raw(`IF pass_sole AND NOT pg_try_advisory_xact_lock_shared(sole_a, sole_b) THEN
            RAISE EXCEPTION 'Another process was working on the image alone.'
              USING ERRCODE = 'BA001';
          END IF;
          SELECT coalesce(array_agg(locked_oid), '{}'), coalesce(array_agg(locked_version), '{}')
            INTO found_oids, found_versions
            FROM batos_lock_objects(pass_gate, gate_a, gate_b, written, read_only);`);

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('objects')
        .addColumn('oid', 'integer', (c) => c.primaryKey())
        .addColumn('slots', 'text', (c) => c.notNull())
        .addColumn('refs', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createTable('transactions')
        // SQLite numbers an integer primary key itself; PostgreSQL needs to be told.
        .addColumn('tx', onPostgres(db) ? 'serial' : 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('who', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('channel', 'text')
        .addColumn('message', 'text')
        .addColumn('undo_of', 'integer', (c) => c.references('transactions.tx'))
        .addColumn('undone_by', 'integer', (c) => c.references('transactions.tx'))
        .execute();
      await db.schema
        .createTable('changes')
        .addColumn('tx', 'integer', (c) => c.notNull().references('transactions.tx'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('oid', 'integer', (c) => c.notNull())
        .addColumn('slot', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .addColumn('before_index', 'integer')
        .addPrimaryKeyConstraint('changes_pk', ['tx', 'seq'])
        .execute();
      await db.schema
        .createIndex('changes_by_object')
        .on('changes')
        .columns(['oid', 'tx'])
        .execute();
      await sql`INSERT INTO meta (key, value) VALUES ('next_oid', '0')`.execute(db);
    },
  },
  '0002_owners': {
    /**
     * Owners and permissions (see src/core/access): every object gets an owner — the system
     * for the primordial objects, the personas and the conversations; otherwise whoever
     * created it, as history tells, or the system when history does not — and every
     * conversation thread becomes private to the people who spoke in it.
     */
    async up(untyped: Kysely<unknown>) {
      const db = untyped as Kysely<ImageSchema>;
      await db.schema
        .alterTable('objects')
        .addColumn('owner', 'text', (c) => c.notNull().defaultTo('system'))
        .execute();
      await db.schema.createIndex('objects_by_owner').on('objects').column('owner').execute();
      await db.schema
        .alterTable('transactions')
        .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('transactions').addColumn('ran_as', 'text').execute();
      const creators = new Map<number, string>();
      const created = await db
        .selectFrom('changes')
        .innerJoin('transactions', 'transactions.tx', 'changes.tx')
        .select(['changes.oid', 'transactions.who'])
        .where('changes.slot', 'is', null)
        .execute();
      for (const row of created) if (!row.who.startsWith('system:')) creators.set(row.oid, row.who);
      const objects = new Map<number, Map<string, Slot>>();
      for (const row of await db.selectFrom('objects').select(['oid', 'slots']).execute())
        objects.set(row.oid, decodeSlots(row.slots));
      const named = (name: string): number | undefined => {
        const slot = objects.get(0)?.get(name);
        return slot?.kind === 'value' && isRef(slot.value) ? slot.value.$ref : undefined;
      };
      // What BAT OS itself made, whoever's message it was made during.
      const system = new Set([0, 1, 2, 3]);
      const prototype = named('persona');
      const conversations = named('conversations');
      const threads = new Map<number, Set<string>>();
      if (prototype !== undefined) system.add(prototype);
      if (conversations !== undefined) {
        system.add(conversations);
        for (const [name, slot] of objects.get(conversations) ?? [])
          if (name !== 'parent*' && slot.kind === 'value' && isRef(slot.value))
            threads.set(slot.value.$ref, new Set());
      }
      for (const [oid, slots] of objects) {
        const parent = slots.get('parent*');
        if (
          prototype !== undefined &&
          parent?.kind === 'value' &&
          refersTo(parent.value, prototype)
        )
          system.add(oid);
        const turns = slots.get('turns');
        const participants = threads.get(oid);
        if (participants && turns?.kind === 'value' && Array.isArray(turns.value))
          for (const turn of turns.value as Array<{ role?: Value; who?: Value }>)
            if (turn?.role === 'user' && typeof turn.who === 'string') participants.add(turn.who);
      }
      for (const [oid, slots] of objects) {
        const owner =
          system.has(oid) || threads.has(oid) ? 'system' : (creators.get(oid) ?? 'system');
        if (owner !== 'system') slots.set('owner*', { kind: 'value', value: owner });
        if (oid === conversations) slots.set('access*', { kind: 'value', value: '' });
        const participants = threads.get(oid);
        if (participants !== undefined) {
          slots.set('access*', { kind: 'value', value: '' });
          slots.set('readers*', { kind: 'value', value: [...participants] });
        }
        if (owner === 'system' && participants === undefined && oid !== conversations) continue;
        await db
          .updateTable('objects')
          .set({ slots: encodeSlots(slots), owner })
          .where('oid', '=', oid)
          .execute();
      }
      const privateOids = [
        ...threads.keys(),
        ...(conversations === undefined ? [] : [conversations]),
      ];
      if (privateOids.length > 0)
        await db
          .updateTable('transactions')
          .set({ private: 1 })
          .where('tx', 'in', db.selectFrom('changes').select('tx').where('oid', 'in', privateOids))
          .execute();
    },
  },
  '0003_versions_and_ledger': {
    /**
     * Many processes over one image: each object remembers the transaction that last wrote
     * it, so a commit can tell whether what it read is still current; and the front ends'
     * ledger (events already claimed, threads the bot answers in) moves into the image.
     */
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('objects')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('ledger_events')
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_events_pk', ['platform', 'event_id'])
        .execute();
      await db.schema
        .createIndex('ledger_events_by_age')
        .on('ledger_events')
        .column('at')
        .execute();
      await db.schema
        .createTable('ledger_threads')
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('thread', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_threads_pk', ['platform', 'thread'])
        .execute();
    },
  },
  '0004_row_locks': {
    /**
     * PostgreSQL only: one call that passes the commit gate and locks the rows a commit read
     * (FOR SHARE) and writes (FOR UPDATE), one at a time in oid order, so two commits never
     * wait for each other in a circle; it returns the versions it found under the locks.
     */
    async up(db: Kysely<unknown>) {
      if (!onPostgres(db)) return;
      await sql`
        CREATE FUNCTION batos_lock_objects(
          pass_gate boolean, gate_a integer, gate_b integer,
          written integer[], read_only integer[])
        RETURNS TABLE (locked_oid integer, locked_version integer)
        LANGUAGE plpgsql AS $$
        DECLARE
          target integer;
        BEGIN
          IF pass_gate THEN
            PERFORM pg_advisory_xact_lock_shared(gate_a, gate_b);
          END IF;
          FOR target IN SELECT DISTINCT x FROM unnest(written || read_only) AS x ORDER BY x LOOP
            IF target = ANY(written) THEN
              RETURN QUERY SELECT o.oid, o.version FROM objects o WHERE o.oid = target FOR UPDATE;
            ELSE
              RETURN QUERY SELECT o.oid, o.version FROM objects o WHERE o.oid = target FOR SHARE;
            END IF;
          END LOOP;
        END
        $$`.execute(db);
    },
  },
  '0005_history_bytes': {
    /**
     * Bounded history: each transaction keeps the bytes its changes hold (each change's
     * encoded before and after), and a small table keeps, per principal and UTC day, the
     * bytes their transactions added (for the daily budget: forgetting does not lower it) and
     * the bytes of those still kept (summed, the history's size, without reading it all).
     * Both are filled from the history already kept.
     */
    async up(db: Kysely<unknown>) {
      const postgres = onPostgres(db);
      await db.schema
        .alterTable('transactions')
        .addColumn('bytes', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('history_days')
        .addColumn('who', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('added', postgres ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('kept', postgres ? 'bigint' : 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('history_days_pk', ['who', 'day'])
        .execute();
      const size = (column: string) =>
        postgres
          ? sql`coalesce(octet_length(${sql.ref(column)}), 0)`
          : sql`coalesce(length(CAST(${sql.ref(column)} AS BLOB)), 0)`;
      await sql`
        UPDATE transactions SET bytes = coalesce((
          SELECT sum(${size('changes.before')} + ${size('changes.after')})
          FROM changes WHERE changes.tx = transactions.tx), 0)`.execute(db);
      await sql`
        INSERT INTO history_days (who, day, added, kept)
        SELECT who, substr(at, 1, 10), sum(bytes), sum(bytes) FROM transactions
        GROUP BY who, substr(at, 1, 10)`.execute(db);
    },
  },
  '0006_method_index': {
    /**
     * The method index (see `method-index.ts`): a row per method slot, deleted with its
     * object, and the database's own full-text search over it — an FTS5 table kept in step by
     * triggers on SQLite, a generated `tsvector` column with a GIN index on PostgreSQL —
     * filled from the methods the image already holds.
     */
    async up(untyped: Kysely<unknown>) {
      const db = untyped as Kysely<ImageSchema>;
      const postgres = onPostgres(untyped);
      const columns = sql.raw(`
        oid integer NOT NULL REFERENCES objects (oid) ON DELETE CASCADE,
        slot text NOT NULL,
        selector text NOT NULL,
        source text NOT NULL,
        doc text NOT NULL,
        provenance text,
        name_terms text NOT NULL,
        doc_terms text NOT NULL,
        source_terms text NOT NULL`);
      if (postgres) {
        await sql`
          CREATE TABLE methods (${columns},
            search tsvector GENERATED ALWAYS AS (
              setweight(to_tsvector('simple', name_terms), 'A') ||
              setweight(to_tsvector('simple', doc_terms), 'B') ||
              setweight(to_tsvector('simple', source_terms), 'C')) STORED,
            PRIMARY KEY (oid, slot))`.execute(db);
        await sql`CREATE INDEX methods_search ON methods USING gin (search)`.execute(db);
      } else {
        // An INTEGER PRIMARY KEY, so VACUUM (collect) never renumbers the rows FTS5 points at.
        await sql`
          CREATE TABLE methods (id INTEGER PRIMARY KEY, ${columns}, UNIQUE (oid, slot))`.execute(
          db,
        );
        await sql`
          CREATE VIRTUAL TABLE methods_fts USING fts5(
            name_terms, doc_terms, source_terms, content='methods', content_rowid='id')`.execute(
          db,
        );
        const put = sql.raw(
          `INSERT INTO methods_fts (rowid, name_terms, doc_terms, source_terms)
           VALUES (new.id, new.name_terms, new.doc_terms, new.source_terms)`,
        );
        const drop = sql.raw(
          `INSERT INTO methods_fts (methods_fts, rowid, name_terms, doc_terms, source_terms)
           VALUES ('delete', old.id, old.name_terms, old.doc_terms, old.source_terms)`,
        );
        await sql`CREATE TRIGGER methods_indexed AFTER INSERT ON methods BEGIN ${put}; END`.execute(
          db,
        );
        await sql`CREATE TRIGGER methods_unindexed AFTER DELETE ON methods BEGIN ${drop}; END`.execute(
          db,
        );
        await sql`CREATE TRIGGER methods_reindexed AFTER UPDATE ON methods BEGIN ${drop}; ${put}; END`.execute(
          db,
        );
      }
      await db.schema.createIndex('methods_by_selector').on('methods').column('selector').execute();
      for await (const objects of objectBatches(db)) {
        const rows = objects.flatMap(({ oid, slots }) =>
          [...decodeSlots(slots)].flatMap(([name, slot]) =>
            slot.kind === 'method' ? [methodsRow(methodIndexRow(oid, name, slot))] : [],
          ),
        );
        // A few rows at a time: SQLite allows a bounded number of parameters per statement.
        for (let i = 0; i < rows.length; i += 50)
          await db
            .insertInto('methods')
            .values(rows.slice(i, i + 50))
            .execute();
      }
    },
  },
  '0007_memory_text': {
    /**
     * The full-text index of what people asked BAT OS to remember (src/personas/memory): one
     * row per object with a `memory*` slot, its owner and its text, kept by triggers on the
     * objects table, so every path that writes objects (a commit, an undo, `collect`) keeps
     * it true without knowing it exists. SQLite: FTS5, the owner as one token of its own;
     * PostgreSQL: a tsvector with a GIN index, and the owner's btree.
     */
    async up(db: Kysely<unknown>) {
      const marked = (row: 'NEW' | 'OLD') => holdsMemory(db, row);
      if (onPostgres(db)) {
        await sql`
          CREATE TABLE memory_text (
            oid integer PRIMARY KEY, owner text NOT NULL, body text NOT NULL,
            words tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)`.execute(db);
        await sql`CREATE INDEX memory_text_by_owner ON memory_text (owner)`.execute(db);
        await sql`CREATE INDEX memory_text_words ON memory_text USING gin (words)`.execute(db);
        await sql`
          CREATE FUNCTION batos_memory_text() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP <> 'INSERT' THEN
              DELETE FROM memory_text WHERE oid = OLD.oid;
            END IF;
            IF TG_OP <> 'DELETE' THEN
              INSERT INTO memory_text (oid, owner, body)
              SELECT NEW.oid, NEW.owner, e->2->>'text'
              FROM jsonb_array_elements(NEW.slots::jsonb) AS e
              WHERE e->>0 = ${sql.lit(MEMORY_SLOT)} AND e->2->>'text' IS NOT NULL;
            END IF;
            RETURN NULL;
          END
          $$`.execute(db);
        await sql`
          CREATE TRIGGER memory_text_insert AFTER INSERT ON objects
          FOR EACH ROW WHEN (${marked('NEW')}) EXECUTE FUNCTION batos_memory_text()`.execute(db);
        await sql`
          CREATE TRIGGER memory_text_update AFTER UPDATE ON objects
          FOR EACH ROW WHEN (${marked('OLD')} OR ${marked('NEW')})
          EXECUTE FUNCTION batos_memory_text()`.execute(db);
        await sql`
          CREATE TRIGGER memory_text_delete AFTER DELETE ON objects
          FOR EACH ROW WHEN (${marked('OLD')}) EXECUTE FUNCTION batos_memory_text()`.execute(db);
        return;
      }
      await sql`
        CREATE VIRTUAL TABLE memory_text
        USING fts5(owner, body, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
      const index = sql.raw(`
        INSERT INTO memory_text (rowid, owner, body)
        SELECT NEW.oid, ${SQLITE_OWNER_TOKEN}, json_extract(value, '$[2].text')
        FROM json_each(NEW.slots)
        WHERE json_extract(value, '$[0]') = '${MEMORY_SLOT}'
          AND json_extract(value, '$[2].text') IS NOT NULL;`);
      await sql`
        CREATE TRIGGER memory_text_insert AFTER INSERT ON objects WHEN ${marked('NEW')}
        BEGIN ${index} END`.execute(db);
      await sql`
        CREATE TRIGGER memory_text_update AFTER UPDATE ON objects
        WHEN ${marked('OLD')} OR ${marked('NEW')}
        BEGIN DELETE FROM memory_text WHERE rowid = OLD.oid; ${index} END`.execute(db);
      await sql`
        CREATE TRIGGER memory_text_delete AFTER DELETE ON objects WHEN ${marked('OLD')}
        BEGIN DELETE FROM memory_text WHERE rowid = OLD.oid; END`.execute(db);
    },
  },
  '0008_commit_check': {
    /**
     * PostgreSQL only: a commit's checks as one function, so the commit is one statement in
     * one round trip (see `postgres/write-commit.ts`). It fails the statement, and so the
     * whole commit, with SQLSTATE BA001 (`conflict`) when another process holds the image
     * alone (the `sole` lock, see `postgres/change-feed.ts`), when an object read no longer has
     * the version read (it locks what the commit read and writes first, with
     * `batos_lock_objects`), or when the next free oid is no longer the one the commit's new
     * objects were numbered from.
     */
    ...onPostgresOnly(sql`
        CREATE FUNCTION batos_check_commit(
          ${GATES_AND_LOCKS},
          read_oids integer[], read_versions integer[], next_from text)
        RETURNS boolean
        LANGUAGE plpgsql AS $$
        DECLARE
          ${FOUND}
          stale integer;
        BEGIN
          ${PASS_SOLE_AND_LOCK}
          SELECT r.oid INTO stale
            FROM unnest(read_oids, read_versions) WITH ORDINALITY AS r(oid, version, n)
            WHERE NOT EXISTS (
              SELECT 1 FROM unnest(found_oids, found_versions) AS f(oid, version)
              WHERE f.oid = r.oid AND f.version = r.version)
            ORDER BY r.n LIMIT 1;
          IF stale IS NOT NULL THEN
            RAISE EXCEPTION 'Object #% changed in another process since this send read it.', stale
              USING ERRCODE = 'BA001';
          END IF;
          IF next_from IS NOT NULL THEN
            PERFORM 1 FROM meta WHERE key = 'next_oid' AND value = next_from FOR UPDATE;
            IF NOT FOUND THEN
              RAISE EXCEPTION 'Another process created objects meanwhile.' USING ERRCODE = 'BA001';
            END IF;
          END IF;
          RETURN true;
        END
        $$`),
  },
  '0009_browser_sign_ins': {
    /**
     * The image browser's sign-ins (see `sign-in-book.ts`), kept in the image so that they
     * survive a restart and every process over the image agrees: one-time links until a day
     * after they expire (a used one is refused as used, in any process), and sessions until
     * they expire. Only SHA-256 hashes of the tokens are kept, never a token itself.
     */
    async up(db: Kysely<unknown>) {
      // Both by the token's hash: whom it signs in as (the browser's identity JSON), until when.
      const signInTable = (name: string) =>
        db.schema
          .createTable(name)
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('principal', 'text', (c) => c.notNull())
          .addColumn('identity', 'text', (c) => c.notNull())
          .addColumn('expires', 'text', (c) => c.notNull());
      await signInTable('browser_links').addColumn('used_at', 'text').execute();
      await signInTable('browser_sessions').execute();
      for (const [index, table, column] of [
        ['browser_links_by_expiry', 'browser_links', 'expires'],
        ['browser_sessions_by_principal', 'browser_sessions', 'principal'],
        ['browser_sessions_by_expiry', 'browser_sessions', 'expires'],
      ] as const)
        await db.schema.createIndex(index).on(table).column(column).execute();
    },
  },
  '0010_memory_vectors': {
    /**
     * The embeddings of people's memories (BATOS_EMBEDDING_MODEL, see `memory-vectors.ts`):
     * one row per memory object, its owner, the model that made it and the vector (float32s,
     * little-endian). Derived from the memory and deleted with it: triggers on the objects
     * table drop the row when the object loses its `memory*` slot (a forget, the retention
     * bound, an undo of the keeping) or is deleted (`collect`).
     */
    async up(db: Kysely<unknown>) {
      const marked = (row: 'NEW' | 'OLD') => holdsMemory(db, row);
      await db.schema
        .createTable('memory_vectors')
        .addColumn('oid', 'integer', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('vector', onPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('memory_vectors_by_owner')
        .on('memory_vectors')
        .column('owner')
        .execute();
      if (onPostgres(db)) {
        await sql`
          CREATE FUNCTION batos_memory_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            DELETE FROM memory_vectors WHERE oid = OLD.oid;
            RETURN NULL;
          END
          $$`.execute(db);
        await sql`
          CREATE TRIGGER memory_vectors_update AFTER UPDATE ON objects
          FOR EACH ROW WHEN (${marked('OLD')} AND NOT ${marked('NEW')})
          EXECUTE FUNCTION batos_memory_vectors()`.execute(db);
        await sql`
          CREATE TRIGGER memory_vectors_delete AFTER DELETE ON objects
          FOR EACH ROW WHEN (${marked('OLD')}) EXECUTE FUNCTION batos_memory_vectors()`.execute(db);
        return;
      }
      await sql`
        CREATE TRIGGER memory_vectors_update AFTER UPDATE ON objects
        WHEN ${marked('OLD')} AND NOT ${marked('NEW')}
        BEGIN DELETE FROM memory_vectors WHERE oid = OLD.oid; END`.execute(db);
      await sql`
        CREATE TRIGGER memory_vectors_delete AFTER DELETE ON objects WHEN ${marked('OLD')}
        BEGIN DELETE FROM memory_vectors WHERE oid = OLD.oid; END`.execute(db);
    },
  },
  '0011_search_index_upkeep': {
    /**
     * Lookups that stay quick as the image grows. Both stores: `implementors` reads the
     * selector's rows in oid order straight from an index on (selector, oid, slot), with no
     * sort. PostgreSQL: the GIN indexes of the method index and of memories take each write
     * into the index itself (`fastupdate` off) and their pending lists are merged now. A
     * pending list is read whole by every search until a vacuum merges it, which made a
     * search of 10,000 methods cost tens of milliseconds; method and memory writes are few
     * beside the searches, and a GIN write of a few dozen words costs them little.
     */
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('methods_by_selector_in_order')
        .on('methods')
        .columns(['selector', 'oid', 'slot'])
        .execute();
      await db.schema.dropIndex('methods_by_selector').execute();
      if (!onPostgres(db)) return;
      for (const index of ['methods_search', 'memory_text_words']) {
        await sql`ALTER INDEX ${sql.id(index)} SET (fastupdate = off)`.execute(db);
        await sql`SELECT gin_clean_pending_list(${index}::regclass)`.execute(db);
      }
    },
  },
  '0012_creations_index': {
    /**
     * The changes that created objects (`slot` null), by transaction: the image page's
     * objects created per day reads them without scanning all of history (see
     * `image-stats.ts`). An index only: nothing in the image changes.
     */
    async up(db: Kysely<unknown>) {
      await sql`CREATE INDEX changes_creations ON changes (tx) WHERE slot IS NULL`.execute(db);
    },
  },
  '0013_commit_batch': {
    /**
     * PostgreSQL only: the checks of several sends' commits that go to the server together,
     * as one statement (see `postgres/write-commit.ts`). It takes the same locks as
     * `batos_check_commit` over all of them, in oid order, and answers one row per send, in
     * the order of `next_froms` (one element per send): its `problem`, null when it passed.
     * A send whose reads went stale, or whose new objects were numbered from a next free oid
     * that is no longer current, fails alone; only the `sole` lock fails them all (BA001), as
     * it would each of them.
     */
    ...onPostgresOnly(sql`
        CREATE FUNCTION batos_check_commits(
          ${GATES_AND_LOCKS},
          read_sends integer[], read_oids integer[], read_versions integer[], next_froms text[])
        RETURNS TABLE (send integer, problem text)
        LANGUAGE plpgsql AS $$
        DECLARE
          ${FOUND}
          next_now text;
        BEGIN
          ${PASS_SOLE_AND_LOCK}
          IF EXISTS (SELECT 1 FROM unnest(next_froms) AS f WHERE f IS NOT NULL) THEN
            SELECT value INTO next_now FROM meta WHERE key = 'next_oid' FOR UPDATE;
          END IF;
          RETURN QUERY
            WITH stale AS (
              SELECT DISTINCT ON (r.send) r.send, r.oid
              FROM unnest(read_sends, read_oids, read_versions) WITH ORDINALITY
                AS r(send, oid, version, n)
              WHERE NOT EXISTS (
                SELECT 1 FROM unnest(found_oids, found_versions) AS f(oid, version)
                WHERE f.oid = r.oid AND f.version = r.version)
              ORDER BY r.send, r.n)
            SELECT s.send::integer, CASE
                WHEN stale.oid IS NOT NULL THEN
                  format('Object #%s changed in another process since this send read it.', stale.oid)
                WHEN s.next_from IS NOT NULL AND s.next_from IS DISTINCT FROM next_now THEN
                  'Another process created objects meanwhile.'
              END
            FROM unnest(next_froms) WITH ORDINALITY AS s(next_from, send)
            LEFT JOIN stale ON stale.send = s.send
            ORDER BY s.send;
        END
        $$`),
  },
  '0014_parent_links_and_turns': {
    /**
     * The parent links (see `parent-links.ts`): a row per (parent, child), so an object's
     * children are read through the key instead of every object's references; removed with
     * the child (the index on `child` keeps that delete quick), filled from the parent slots
     * the image already holds. And `changes_turns`, the changes to conversation threads'
     * turns by transaction, so the browser finds the threads spoken in lately without reading
     * other changes (see `thread-activity.ts`); only turn commits add to it. Run again (its
     * record lost), it changes nothing.
     */
    async up(untyped: Kysely<unknown>) {
      const db = untyped as Kysely<ImageSchema>;
      await sql`
        CREATE TABLE IF NOT EXISTS parent_links (
          parent integer NOT NULL,
          child integer NOT NULL REFERENCES objects (oid) ON DELETE CASCADE,
          PRIMARY KEY (parent, child))${sql.raw(onPostgres(untyped) ? '' : ' WITHOUT ROWID')}`.execute(
        db,
      );
      await sql`CREATE INDEX IF NOT EXISTS parent_links_by_child ON parent_links (child)`.execute(
        db,
      );
      await sql`CREATE INDEX IF NOT EXISTS changes_turns ON changes (tx, oid) WHERE slot = ${sql.lit(TURNS_SLOT)}`.execute(
        db,
      );
      for await (const objects of objectBatches(db)) {
        const links = objects.flatMap(({ oid, slots }) =>
          [...new Set(parentsIn(decodeSlots(slots).get(PARENT_SLOT)))].map((parent) => ({
            parent,
            child: oid,
          })),
        );
        // A few rows at a time: SQLite allows a bounded number of parameters per statement.
        for (let i = 0; i < links.length; i += 200)
          await db
            .insertInto('parent_links')
            .values(links.slice(i, i + 200))
            .onConflict((c) => c.doNothing())
            .execute();
      }
    },
  },
  '0015_method_match_counts': {
    /**
     * PostgreSQL only: how many methods match a tsquery, counted no further than `cap`, for
     * the nearest search's choice of its rare words (`method-search.ts`). Always through the
     * GIN index: for a common word the planner would rather scan the table until it has
     * `cap`, testing each row's tsvector (about a millisecond a word at 10,000 methods), where
     * the index's bitmap and `cap` rows cost a fraction of that.
     */
    ...onPostgresOnly(sql`
        CREATE FUNCTION batos_method_matches(q tsquery, cap integer) RETURNS integer
        LANGUAGE sql STABLE SET enable_seqscan = off AS $$
          SELECT count(*)::integer FROM (SELECT 1 FROM methods WHERE search @@ q LIMIT cap) AS found
        $$`),
  },
  '0016_object_totals': {
    /**
     * The image page's figures without reading every object (issue #24): each owner's
     * object count and stored bytes in `object_totals`, kept by triggers in the writing
     * transaction (a delta per written row, so every path that writes objects — commits,
     * undo, collect — keeps them exact), and objects by stored size in two indexes, so the
     * largest objects, of the image or of one owner, are an index read. Back-filled here;
     * it may run again (an image whose record of it was lost) and counts afresh.
     */
    async up(db: Kysely<unknown>) {
      const postgres = onPostgres(db);
      const size = sql.raw(storedSize(postgres));
      await db.schema
        .createTable('object_totals')
        .ifNotExists()
        .addColumn('owner', 'text', (c) => c.primaryKey())
        .addColumn('objects', postgres ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('bytes', postgres ? 'bigint' : 'integer', (c) => c.notNull())
        .execute();
      await sql`DELETE FROM object_totals`.execute(db);
      await sql`
        INSERT INTO object_totals (owner, objects, bytes)
        SELECT owner, count(*), sum(${size}) FROM objects GROUP BY owner`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS objects_by_size ON objects ((${size}) DESC, oid)`.execute(
        db,
      );
      await sql`
        CREATE INDEX IF NOT EXISTS objects_by_owner_size ON objects (owner, (${size}) DESC, oid)`.execute(
        db,
      );
      if (postgres) {
        // Once per statement over its transition tables, owners in order: a commit's many
        // rows cost one upsert per owner, and concurrent commits lock owners in one order.
        const add = (rows: string) =>
          sql.raw(`
          INSERT INTO object_totals AS t (owner, objects, bytes)
          SELECT owner, sum(n), sum(b) FROM (${rows}) AS d GROUP BY owner
          HAVING sum(n) <> 0 OR sum(b) <> 0 ORDER BY owner
          ON CONFLICT (owner) DO UPDATE
            SET objects = t.objects + excluded.objects, bytes = t.bytes + excluded.bytes;`);
        const added = `SELECT owner, 1 AS n, ${storedSize(true, 'new_rows')} AS b FROM new_rows`;
        const removed = `SELECT owner, -1 AS n, -${storedSize(true, 'old_rows')} AS b FROM old_rows`;
        await sql`
          CREATE OR REPLACE FUNCTION batos_object_totals() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'INSERT' THEN ${add(added)}
            ELSIF TG_OP = 'DELETE' THEN ${add(removed)}
            ELSE ${add(`${added} UNION ALL ${removed}`)}
            END IF;
            RETURN NULL;
          END
          $$`.execute(db);
        for (const [event, tables] of [
          ['INSERT', 'NEW TABLE AS new_rows'],
          ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
          ['DELETE', 'OLD TABLE AS old_rows'],
        ] as const) {
          const trigger = sql.raw(`object_totals_${event.toLowerCase()}`);
          await sql`DROP TRIGGER IF EXISTS ${trigger} ON objects`.execute(db);
          await sql`
            CREATE TRIGGER ${trigger}
            AFTER ${sql.raw(event)} ON objects REFERENCING ${sql.raw(tables)}
            FOR EACH STATEMENT EXECUTE FUNCTION batos_object_totals()`.execute(db);
        }
        return;
      }
      const add = (row: 'NEW' | 'OLD', sign: 1 | -1) =>
        sql.raw(`
        INSERT INTO object_totals (owner, objects, bytes)
        VALUES (${row}.owner, ${sign}, ${sign} * ${storedSize(false, row)})
        ON CONFLICT (owner) DO UPDATE
          SET objects = objects + excluded.objects, bytes = bytes + excluded.bytes;`);
      await sql`
        CREATE TRIGGER IF NOT EXISTS object_totals_insert AFTER INSERT ON objects
        BEGIN ${add('NEW', 1)} END`.execute(db);
      await sql`
        CREATE TRIGGER IF NOT EXISTS object_totals_update AFTER UPDATE OF slots, owner ON objects
        BEGIN ${add('OLD', -1)} ${add('NEW', 1)} END`.execute(db);
      await sql`
        CREATE TRIGGER IF NOT EXISTS object_totals_delete AFTER DELETE ON objects
        BEGIN ${add('OLD', -1)} END`.execute(db);
    },
  },
  '0017_changes_by_slot': {
    /**
     * The changes to one slot of one object, by transaction: a method's versions are read
     * through it (`history.ts`; 0018 replaced it by one of the changes that set a method),
     * however many other changes the object has had. They were searched among the object's newest 2,000 transactions: a method set
     * before an object's 2,000 latest sends had no versions, and its page decoded every one
     * of those transactions. Run again (its record lost), it changes nothing.
     */
    async up(db: Kysely<unknown>) {
      await sql`CREATE INDEX IF NOT EXISTS changes_by_object_slot ON changes (oid, slot, tx)`.execute(
        db,
      );
    },
  },
  '0018_fewer_index_writes': {
    /**
     * Less written per commit, with every query served as before. Method versions are read
     * only from changes that set a method, so their index (0017's) now holds only those: the
     * common send, which sets a value, no longer writes it. And `objects_by_owner` goes:
     * `objects_by_owner_size` begins with the owner and serves every query by owner, while
     * each object write updated both. Run again (its record lost), it changes nothing.
     */
    async up(db: Kysely<unknown>) {
      await sql`DROP INDEX IF EXISTS changes_by_object_slot`.execute(db);
      await sql`
        CREATE INDEX IF NOT EXISTS changes_method_versions ON changes (oid, slot, tx)
        WHERE ${sql.raw(SETS_METHOD)}`.execute(db);
      await sql`DROP INDEX IF EXISTS objects_by_owner`.execute(db);
    },
  },
};

/**
 * A change that set a method slot, recognised by the start of its encoded slot (`codec.ts`
 * writes `kind` first) so that neither database parses a change's JSON to index it: written
 * exactly as `history.ts` selects a method's versions, so the planner reads migration 0018's
 * index.
 */
export const SETS_METHOD = `substr(after, 1, 16) = '{"kind":"method"'`;

/**
 * The bytes of `row`'s stored slots, in each database's own words: written exactly as
 * `image-stats.ts` orders by it, so the planner reads the size indexes of migration 0016.
 */
export function storedSize(postgres: boolean, row?: string): string {
  const slots = row === undefined ? 'slots' : `${row}.slots`;
  return postgres ? `octet_length(${slots})` : `length(CAST(${slots} AS BLOB))`;
}

/** A trigger's condition: the `row` (`NEW` or `OLD`) of objects holds a `memory*` slot. */
function holdsMemory(db: Kysely<unknown>, row: 'NEW' | 'OLD'): RawBuilder<unknown> {
  return onPostgres(db)
    ? sql.raw(`strpos(${row}.slots, '"${MEMORY_SLOT}"') > 0`)
    : sql.raw(`instr(${row}.slots, '"${MEMORY_SLOT}"') > 0`);
}

/** Every object's oid and encoded slots, 500 at a time in oid order: for back-filling an index. */
async function* objectBatches(
  db: Kysely<ImageSchema>,
): AsyncGenerator<Array<{ oid: number; slots: string }>> {
  for (let after = -1; ;) {
    const objects = await db
      .selectFrom('objects')
      .select(['oid', 'slots'])
      .where('oid', '>', after)
      .orderBy('oid')
      .limit(500)
      .execute();
    if (objects.length === 0) return;
    after = objects.at(-1)!.oid;
    yield objects;
  }
}

/** A migration that runs `statement` on PostgreSQL and has nothing to do on SQLite. */
function onPostgresOnly(statement: RawBuilder<unknown>): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (onPostgres(db)) await statement.execute(db);
    },
  };
}

function refersTo(value: Value, oid: number): boolean {
  if (isRef(value)) return value.$ref === oid;
  return Array.isArray(value) && value.some((v) => isRef(v) && v.$ref === oid);
}

/** Migrations compiled into the program, in name order. */
export const imageMigrations: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/**
 * Runs every pending migration on the image at `location` (named in the error). Fails with
 * an {@link ImageError} coded `migration`, naming the migration that failed.
 */
export async function migrateImage(db: Kysely<ImageSchema>, location: string): Promise<void> {
  if (await migrated(db)) return;
  const { error, results } = await new Migrator({
    db,
    provider: imageMigrations,
  }).migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  throw new ImageError(
    'migration',
    `Migrating the image ${location} failed${failed ? ` at ${failed}` : ''}: ${String(error)}`,
    { cause: error },
  );
}

/**
 * Whether the image has run exactly the migrations compiled in: one read of kysely's record
 * of them, instead of the Migrator's table checks, lock and comparison on every open (about
 * 80 ms of a start's CPU on SQLite). An image with no record yet (a new one), or one that
 * differs (pending migrations, or a newer program's), goes through the Migrator, which
 * migrates it or says what is wrong.
 */
async function migrated(db: Kysely<ImageSchema>): Promise<boolean> {
  let ran: string[];
  try {
    const { rows } = await sql<{
      name: string;
    }>`SELECT name FROM ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db);
    ran = rows.map((row) => row.name).sort();
  } catch {
    return false;
  }
  const known = Object.keys(migrations).sort();
  return ran.length === known.length && ran.every((name, i) => name === known[i]);
}
