/**
 * The image's schema, created and evolved by kysely migrations. Add a migration; never edit
 * one that has shipped: images in the field have already run it.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

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
        .addColumn('tx', 'integer', (c) => c.primaryKey())
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
};

/** Migrations compiled into the program, in name order. */
export const imageMigrations: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
