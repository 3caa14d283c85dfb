/**
 * Files only the bot's own account may read: the image, its backups, the steward's files and
 * the logs hold every message and the upgrade channel, so BAT OS creates them 0600 in
 * folders it creates 0700. A file or folder that already exists keeps its mode (the start
 * check reports one that others can read); only files BAT OS itself creates get these.
 */
import { closeSync, createReadStream, mkdirSync, openSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';

/** The mode of a private file: read and write for the owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/** The mode of a private folder: the owner only may list, enter or change it. */
export const PRIVATE_DIR_MODE = 0o700;

/** Whether a file of `mode` (a stat mode) may be read by its group or by anyone else. */
export function othersCanRead(mode: number): boolean {
  return (mode & 0o044) !== 0;
}

/** Creates `dir` and any missing parents 0700; existing ones are left as they are. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** {@link ensurePrivateDir}, synchronously. */
export function ensurePrivateDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates `file` empty and 0600 unless it exists (then it is left as it is), so a program
 * that opens it next (SQLite, pg_dump, pm2) writes into a private file.
 *
 * @returns whether it was created.
 */
export function createPrivateFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  closeSync(fd);
  return true;
}

/**
 * Copies `from` to a new 0600 file `to` (replacing one there). Unlike `copyFile`, which gives
 * the copy its source's mode, the copy is private whatever the source's mode.
 */
export async function copyPrivateFile(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  const target = await open(to, 'wx', PRIVATE_FILE_MODE);
  try {
    for await (const chunk of createReadStream(from)) await target.write(chunk as Buffer);
    await target.sync();
  } finally {
    await target.close();
  }
}
