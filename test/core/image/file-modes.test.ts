import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seed, withImage } from './support.ts';
import { Image } from '../../../src/core/image/index.ts';
import { tempDir } from '../../support/temp.ts';

/** The permission bits of `file`. */
const modeOf = (file: string): number => statSync(file).mode & 0o777;

describe('Image files on disk (SQLite)', () => {
  it('creates a new image, its WAL and shared memory 0600 in a folder it creates 0700', async () => {
    const dir = join(tempDir(), 'data');
    const path = join(dir, 'image.db');
    await withImage(path, async (image) => {
      await seed(image, 2);
      expect(modeOf(dir)).toBe(0o700);
      expect(modeOf(path)).toBe(0o600);
      expect(modeOf(`${path}-wal`)).toBe(0o600);
    });
    // The image holds SQLite's lock in exclusive mode (no -shm); a plain reader, as the
    // steward's migrate step is, makes one: SQLite gives it the main file's mode.
    const reader = new Database(path, { fileMustExist: true });
    try {
      expect(reader.prepare('SELECT count(*) AS n FROM objects').get()).toEqual({ n: 2 });
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file)).toBe(0o600);
    } finally {
      reader.close();
    }
  });

  it('leaves an existing image with its own mode (the start check reports it)', async () => {
    const path = join(tempDir(), 'image.db');
    await withImage(path, (image) => seed(image, 1));
    chmodSync(path, 0o644);
    await withImage(path, (image) => expect(image.countObjects()).toBe(1));
    expect(modeOf(path)).toBe(0o644);
  });

  it('backs up into a 0600 file in a folder it creates 0700, even from a readable image', async () => {
    const dir = tempDir();
    const path = join(dir, 'image.db');
    await withImage(path, (image) => seed(image, 3));
    chmodSync(path, 0o644);
    const copy = join(dir, 'backups', 'nightly', 'copy.db');
    await withImage(path, (image) => image.backup(copy));
    expect(modeOf(join(dir, 'backups'))).toBe(0o700);
    expect(modeOf(join(dir, 'backups', 'nightly'))).toBe(0o700);
    expect(modeOf(copy)).toBe(0o600);
    expect(existsSync(`${copy}.partial`)).toBe(false);
    const opened = await Image.open(copy);
    expect(opened.countObjects()).toBe(3);
    await opened.close();
  });
});
