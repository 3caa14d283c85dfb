/**
 * Atomic file writes: readers see the old file or the whole new one, never a half-written one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../private-files.ts';

/** Prefix of temporary files; readers of a folder skip names that start with a dot. */
export const TEMP_PREFIX = '.tmp-';

/**
 * Writes `data` to a temporary file in the same folder, flushes it to disk, then renames it
 * over `file` (rename is atomic within one file system). The file is new and 0600 each time,
 * whatever the mode of the one it replaces; a missing folder is created 0700.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await ensurePrivateDir(dir);
  const temp = path.join(
    dir,
    `${TEMP_PREFIX}${path.basename(file)}-${randomBytes(4).toString('hex')}`,
  );
  try {
    const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
