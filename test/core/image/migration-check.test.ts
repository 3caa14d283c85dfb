/**
 * The open's shortcut past the Migrator (one read of kysely's migration record): it takes
 * only an image that ran exactly this program's migrations; any other still goes through the
 * Migrator, which migrates it or refuses it as before.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Image } from '../../../src/core/image/index.ts';
import { tempDir } from '../../support/temp.ts';

/** Runs `change` on the closed image file at `path`, as another program would. */
function edit(path: string, change: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    change(db);
  } finally {
    db.close();
  }
}

async function made(): Promise<{ path: string; migrations: string[] }> {
  const path = join(tempDir('batos-migration-check-'), 'image.db');
  await (await Image.open(path)).close();
  const db = new Database(path, { readonly: true });
  const migrations = db
    .prepare<[], { name: string }>('SELECT name FROM kysely_migration ORDER BY name')
    .all()
    .map((row) => row.name);
  db.close();
  return { path, migrations };
}

describe('opening an image checks its migrations with one read', () => {
  it('opens an image that ran every migration, leaving the record as it was', async () => {
    const { path, migrations } = await made();
    expect(migrations.length).toBeGreaterThan(1);
    const image = await Image.open(path);
    expect(image.countObjects()).toBeGreaterThanOrEqual(0);
    await image.close();
    edit(path, (db) =>
      expect(db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()).toEqual(
        migrations,
      ),
    );
  });

  it('runs a migration whose record is missing, through the Migrator', async () => {
    const { path, migrations } = await made();
    const last = migrations.at(-1)!;
    edit(path, (db) => db.prepare('DELETE FROM kysely_migration WHERE name = ?').run(last));
    await (await Image.open(path)).close();
    // The Migrator ran it and recorded it again; the shortcut would have left it missing.
    edit(path, (db) =>
      expect(db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()).toEqual(
        migrations,
      ),
    );
  });

  it('refuses an image that ran a migration this program does not know', async () => {
    const { path } = await made();
    edit(path, (db) =>
      db
        .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
        .run('9999_from_a_newer_release', new Date().toISOString()),
    );
    await expect(Image.open(path)).rejects.toMatchObject({ code: 'migration' });
  });
});
