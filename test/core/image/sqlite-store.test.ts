import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seed, v, who, withImage } from './support.ts';
import { ImageError } from '../../../src/core/errors.ts';
import { Image } from '../../../src/core/image/index.ts';
import { tempDir } from '../../support/temp.ts';

describe('Image on SQLite', () => {
  it('creates the schema on an empty file with WAL, syncing the WAL itself per group', async () => {
    const path = join(tempDir(), 'nested', 'image.db');
    await withImage(path, async (image) => {
      expect(image.countObjects()).toBe(0);
      expect(image.nextOid).toBe(0);
    });
    const db = new Database(path, { readonly: true });
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining(['changes', 'meta', 'objects', 'transactions', 'kysely_migration']),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: check what an open image uses (NORMAL: the image
    // syncs the WAL after each group of commits, see durable()).
    const image = await Image.open(path);
    expect(
      (image as unknown as { store: { db: Database.Database } }).store.db.pragma('synchronous', {
        simple: true,
      }),
    ).toBe(1);
    await image.close();
  });

  it('makes commits durable in groups: one WAL sync for the commits made meanwhile', async () => {
    const path = join(tempDir(), 'image.db');
    await withImage(path, async (image) => {
      await image.durable();
      const before = image.syncCount;
      const waits: Promise<void>[] = [];
      for (const n of [0, 1, 2]) {
        const tx = image.begin(who);
        tx.create([['n', v(n)]]);
        await image.commit(tx);
        waits.push(image.durable());
      }
      await Promise.all(waits);
      // The first commit started a sync; the two made while it ran share the next one.
      expect(image.syncCount - before).toBe(2);
      await image.durable();
      expect(image.syncCount - before).toBe(2);
      const tx = image.begin(who);
      tx.create([['n', v(2)]]);
      await image.commit(tx);
      await image.durable();
      expect(image.syncCount - before).toBe(3);
    });
  });

  it("syncs an inline wait in the caller's turn, unless a sync is already in flight", async () => {
    const path = join(tempDir(), 'image.db');
    await withImage(path, async (image) => {
      await image.durable();
      const before = image.syncCount;
      const first = image.begin(who);
      first.create([['n', v(1)]]);
      await image.commit(first);
      const lone = image.durable('inline');
      // Synced before anything else could run: the count moved before the promise settled.
      expect(image.syncCount - before).toBe(1);
      await lone;
      const second = image.begin(who);
      second.create([['n', v(2)]]);
      await image.commit(second);
      const shared = image.durable();
      const third = image.begin(who);
      third.create([['n', v(3)]]);
      await image.commit(third);
      // A sync is in flight: the inline wait joins the group after it instead.
      const joined = image.durable('inline');
      expect(image.syncCount - before).toBe(2);
      await Promise.all([shared, joined]);
      expect(image.syncCount - before).toBe(3);
      await image.durable('inline');
      expect(image.syncCount - before).toBe(3);
    });
  });

  it('backs up online to a file that opens as an image with the same objects', async () => {
    const dir = tempDir();
    await withImage(join(dir, 'image.db'), async (image) => {
      await seed(image, 10);
      await image.backup(join(dir, 'backups', 'copy.db'));
      const more = image.begin(who);
      more.create();
      await image.commit(more);
    });
    await withImage(join(dir, 'backups', 'copy.db'), (copy) =>
      expect(copy.countObjects()).toBe(10),
    );
  });

  it('refuses a file that is not a database, leaving it untouched', async () => {
    const path = join(tempDir(), 'image.db');
    writeFileSync(path, 'this is not sqlite, it is a note to myself\n'.repeat(200));
    const before = readFileSync(path);
    const error = await Image.open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).code).toBe('corrupt');
    expect((error as ImageError).message).toMatch(/left untouched/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a damaged database, leaving it untouched', async () => {
    const path = join(tempDir(), 'image.db');
    await withImage(path, (image) => seed(image, 50));
    const bytes = readFileSync(path);
    bytes.fill(0xff, 100, 4096 * 2); // header and schema page trampled
    writeFileSync(path, bytes);
    const error = await Image.open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect(['corrupt', 'io', 'migration']).toContain((error as ImageError).code);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('gives a second process a clear "locked" error and leaves the image intact', async () => {
    const path = join(tempDir(), 'image.db');
    const image = await Image.open(path);
    await seed(image, 3);
    const script = `
      import { Image } from ${JSON.stringify(new URL('../../../src/core/image/index.ts', import.meta.url).pathname)};
      try { await Image.open(process.argv[1]); console.log('opened'); }
      catch (e) { console.log(e.code + ': ' + e.message); }`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        path,
      ]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('exit', () => resolve(out));
    });
    expect(output).toMatch(/^locked: The image .* is in use by another BAT OS process/);
    const tx = image.begin(who);
    tx.create();
    await image.commit(tx);
    await image.close();
    await withImage(path, (reopened) => {
      expect(reopened.countObjects()).toBe(4);
      expect(reopened.integrityCheck()).toBe('ok');
    });
  });
});
