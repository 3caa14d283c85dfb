/**
 * Opening the SQLite file behind an image: the checks, pragmas and lock that make it safe.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ImageError } from '../errors.ts';
import { createPrivateFile, ensurePrivateDirSync } from '../private-files.ts';

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Opens (or creates, 0600 in a folder created 0700) the image file and takes an exclusive
 * lock on it.
 *
 * The lock is SQLite's own, taken by the kernel: `locking_mode=EXCLUSIVE` plus a first write
 * holds it until close, and a killed process releases it, so there is never a stale lock
 * file. A second process gets a clear `locked` error and the file is not touched. WAL with
 * `synchronous=NORMAL` is set on every open: SQLite then syncs at checkpoints and WAL resets
 * but not at each commit, and the image syncs the WAL itself after each group of commits.
 */
export function openDatabase(path: string): Database.Database {
  refuseNonDatabase(path);
  let db: Database.Database;
  try {
    ensurePrivateDirSync(dirname(path));
    // SQLite gives its -wal and -shm the main file's mode: a new image starts 0600.
    createPrivateFile(path);
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    throw new ImageError('io', `Cannot open the image file ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // Each commit's WAL sync is the image's own (see Image.durable): one sync for a group.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw translateOpenError(path, error);
  }
}

/** Holds the exclusive lock from now until close: in exclusive mode a write keeps it. */
export function takeLock(db: Database.Database, path: string): void {
  try {
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('last_open', ?)`).run(
      new Date().toISOString(),
    );
  } catch (error) {
    throw translateOpenError(path, error);
  }
}

export function translateOpenError(path: string, error: unknown): ImageError {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return new ImageError(
      'locked',
      `The image ${path} is in use by another BAT OS process. Stop that process first, or point BATOS_IMAGE at another file.`,
      { cause: error },
    );
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return new ImageError(
      'corrupt',
      `The image ${path} is not a readable BAT OS image (${messageOf(error)}). It was left untouched; restore it from a backup or point BATOS_IMAGE at another file.`,
      { cause: error },
    );
  return new ImageError('io', `Cannot use the image ${path}: ${messageOf(error)}`, {
    cause: error,
  });
}

/**
 * A non-empty file that is not SQLite is refused with a `corrupt` {@link ImageError} before
 * SQLite can touch it; a missing or empty file passes (SQLite makes a new database there).
 */
export function refuseNonDatabase(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER)
    throw new ImageError(
      'corrupt',
      `The image ${path} is not a SQLite database (its header is wrong). It was left untouched; restore it from a backup or point BATOS_IMAGE at another file.`,
    );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
