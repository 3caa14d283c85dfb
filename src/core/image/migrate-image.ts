/**
 * `tsx src/core/image/migrate.ts <image>`: runs any pending migrations on the image. When
 * every migration has run already it only reads, so the file's bytes stay exactly as they
 * were (a steward comparing fingerprints then knows nothing changed); otherwise it opens the
 * image once, which migrates it, and closes it. The steward's `migrate` upgrade step runs this
 * with the new code.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Image } from './image.ts';
import { imageMigrations } from './migrations.ts';
import { isPostgresLocation, redactedLocation, schemaVersion } from './postgres/index.ts';

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

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: tsx src/core/image/migrate.ts <image file>\n');
  process.exit(2);
}
try {
  const current = await countIfUpToDate(path);
  if (current !== undefined) {
    process.stdout.write(
      `${redactedLocation(path)}: schema up to date, ${current} objects; image left untouched\n`,
    );
  } else {
    const image = await Image.open(path);
    const objects = image.countObjects();
    await image.close();
    process.stdout.write(`${redactedLocation(path)}: migrated, ${objects} objects\n`);
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
