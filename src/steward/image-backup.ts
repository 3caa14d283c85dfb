/**
 * Backing up and restoring the image around an upgrade. A SQLite image: the bot has closed
 * it cleanly before the backup, so copying the file (and a `-wal` file, should one remain)
 * is a consistent copy; the copy itself is the image module's `backupImageFile`. A
 * PostgreSQL image: `pg_dump` and `pg_restore`; other BAT OS processes may keep writing to
 * it meanwhile, so it is put back only when the upgrade changed its schema (see
 * docs/scale.md).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  backupImageFile,
  dumpDatabase,
  isPostgresLocation,
  restoreDatabase,
  schemaVersion,
} from '../core/image/index.ts';
import { copyPrivateFile, ensurePrivateDir } from '../core/private-files.ts';

/** The file a PostgreSQL image is dumped to in a backup folder. */
const DUMP = 'image.dump';

/** SQLite's companion files; `-shm` is rebuilt on open, so only the WAL matters. */
const WAL = '-wal';
const SHM = '-shm';

const exists = async (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

const hashInto = (hash: ReturnType<typeof createHash>, file: string): Promise<void> =>
  new Promise((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', resolve)
      .on('error', reject);
  });

/**
 * A fingerprint of the image: SHA-256 over the database file and its WAL, or `absent`. Any
 * write to the image changes it. For a PostgreSQL image, the migrations it has run: only a
 * change of schema is the upgrade's doing (other processes write to it all along).
 */
export async function fingerprintImage(imagePath: string): Promise<string> {
  if (isPostgresLocation(imagePath)) return `schema:${await schemaVersion(imagePath)}`;
  if (!(await exists(imagePath))) return 'absent';
  const hash = createHash('sha256');
  await hashInto(hash, imagePath);
  hash.update('\0wal\0');
  if (await exists(imagePath + WAL)) await hashInto(hash, imagePath + WAL);
  return hash.digest('hex');
}

/** Copies `from` to a new 0600 `to` through a temporary file, so `to` is never half-written. */
async function copyAtomic(from: string, to: string): Promise<void> {
  const temp = `${to}.copying`;
  await copyPrivateFile(from, temp);
  await rename(temp, to);
}

/**
 * Copies the image (and its WAL, if any) into `backupDir`, 0600 in a folder created 0700.
 *
 * @returns the fingerprint of the image as backed up.
 */
export async function backupImage(imagePath: string, backupDir: string): Promise<string> {
  await rm(backupDir, { recursive: true, force: true });
  await ensurePrivateDir(backupDir);
  if (isPostgresLocation(imagePath)) {
    await dumpDatabase(imagePath, path.join(backupDir, DUMP));
  } else if (await exists(imagePath)) {
    await backupImageFile(imagePath, path.join(backupDir, path.basename(imagePath)));
  }
  return fingerprintImage(imagePath);
}

/**
 * Puts the backup in `backupDir` back in place of the image (the bot must be stopped).
 * An image that did not exist at backup time is removed.
 */
export async function restoreImage(imagePath: string, backupDir: string): Promise<void> {
  if (isPostgresLocation(imagePath)) {
    await restoreDatabase(imagePath, path.join(backupDir, DUMP));
    return;
  }
  const name = path.basename(imagePath);
  for (const suffix of [WAL, SHM]) {
    await rm(imagePath + suffix, { force: true });
  }
  const saved = path.join(backupDir, name);
  if (!(await exists(saved))) {
    await rm(imagePath, { force: true });
    return;
  }
  await copyAtomic(saved, imagePath);
  if (await exists(saved + WAL)) await copyAtomic(saved + WAL, imagePath + WAL);
}

/** Deletes all but the newest `keep` backup folders (images can be large). */
export async function pruneBackups(backupsDir: string, keep: number): Promise<void> {
  const entries = await readdir(backupsDir).catch(() => [] as string[]);
  const dated = await Promise.all(
    entries.map(async (e) => ({ e, t: (await stat(path.join(backupsDir, e))).mtimeMs })),
  );
  dated.sort((a, b) => b.t - a.t);
  for (const { e } of dated.slice(keep)) {
    await rm(path.join(backupsDir, e), { recursive: true, force: true });
  }
}
