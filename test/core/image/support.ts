/**
 * What the image suites share: a value slot, who commits, an image opened for one piece of
 * work, and an image as an older release left it.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { Image, isPostgresLocation } from '../../../src/core/image/index.ts';
import { imageMigrations } from '../../../src/core/image/migrations.ts';
import type { Slot, Value } from '../../../src/core/model/value.ts';

export const v = (value: Value): Slot => ({ kind: 'value', value });
export const who = { who: 'console:test', platform: 'console' };

/** Opens the image at `location`, runs `work` on it, and closes it whatever happens. */
export async function withImage<T>(
  location: string,
  work: (image: Image) => Promise<T> | T,
): Promise<T> {
  const image = await Image.open(location);
  try {
    return await work(image);
  } finally {
    await image.close();
  }
}

/** Commits `count` new objects with `n` set to 0, 1, …; returns their oids. */
export async function seed(image: Image, count = 2): Promise<number[]> {
  const tx = image.begin(who);
  const oids = Array.from({ length: count }, (_, i) => tx.create([['n', v(i)]]));
  await image.commit(tx);
  return oids;
}

/**
 * Runs the migrations named before `migration` at `location` (an image as the release
 * before it left it), then `work` on the database, to write what that release would have.
 */
export async function imageBefore(
  location: string,
  migration: string,
  work: (db: Kysely<unknown>) => Promise<void>,
): Promise<void> {
  await withDatabase(location, async (db) => {
    const all = await imageMigrations.getMigrations();
    const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < migration));
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(before) },
    }).migrateToLatest();
    if (error) throw error;
    await work(db);
  });
}

/**
 * Runs `work` on the database at `location` itself, through a connection of its own, beside
 * any image open on it: for what only SQL can see (an index's options, a reference query).
 */
export async function withDatabase<T>(
  location: string,
  work: (db: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  const db = new Kysely<unknown>({
    dialect: isPostgresLocation(location)
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: location, max: 1 }) })
      : new SqliteDialect({ database: new Database(location) }),
  });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
