/**
 * Bringing an image's schema up to date without serving it (`scripts/migrate.ts`, the
 * steward's `migrate` upgrade step). When every migration has run already it only reads, so
 * the file's bytes stay exactly as they were (a steward comparing fingerprints then knows
 * nothing changed); otherwise it opens the image once, which migrates it, and closes it.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Image } from './image.ts';
import { imageMigrations } from './migrations.ts';
import { isPostgresLocation } from './postgres/location.ts';
import { schemaVersion } from './postgres/schema-version.ts';

/** The object count if every migration has run already, else `undefined` (then open migrates). */
async function countIfUpToDate(file: string): Promise<number | undefined> {
  if (isPostgresLocation(file)) return countIfPostgresUpToDate(file);
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    const done = db.prepare('SELECT name FROM kysely_migration').all() as { name: string }[];
    const names = new Set(done.map((row) => row.name));
    const all = Object.keys(await imageMigrations.getMigrations());
    if (!all.every((name) => names.has(name))) return undefined;
    return (db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n;
  } catch {
    // Locked, damaged or not an image: Image.open below says which, clearly.
    return undefined;
  } finally {
    db.close();
  }
}

/** The same for a PostgreSQL image: opening one that is up to date changes nothing in it. */
async function countIfPostgresUpToDate(url: string): Promise<number | undefined> {
  const all = Object.keys(await imageMigrations.getMigrations()).join(',');
  if ((await schemaVersion(url)) !== all) return undefined;
  const image = await Image.open(url);
  try {
    return image.countObjects();
  } finally {
    await image.close();
  }
}

/** What {@link migrateImage} did. */
export interface MigrateResult {
  /** Whether a migration ran; when not, the image was only read and its bytes are unchanged. */
  readonly migrated: boolean;
  readonly objects: number;
}

/** Runs any pending migrations on the image at `location` (a SQLite file or a PostgreSQL URL). */
export async function migrateImage(location: string): Promise<MigrateResult> {
  const current = await countIfUpToDate(location);
  if (current !== undefined) return { migrated: false, objects: current };
  const image = await Image.open(location);
  try {
    return { migrated: true, objects: image.countObjects() };
  } finally {
    await image.close();
  }
}
