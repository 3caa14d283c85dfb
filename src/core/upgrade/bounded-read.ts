/**
 * Reading a file of the upgrade channel without trusting what lies in the folder: only a
 * regular file (not a FIFO, a directory, a device or a symbolic link), only up to a size
 * limit, and only within a time limit, so one odd entry can never hang or flood a reader.
 */
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';

/** Request and result files are a few kilobytes; anything past this is not one of ours. */
export const MAX_CHANNEL_FILE_BYTES = 64 * 1024;

/** A local file read takes milliseconds; a read that takes this long is stuck. */
export const CHANNEL_READ_TIMEOUT_MS = 5_000;

/** The text of the file, or why it was not read. */
export type BoundedRead =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Limits of one read. */
export interface ReadLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

const DEFAULT_LIMITS: ReadLimits = {
  maxBytes: MAX_CHANNEL_FILE_BYTES,
  timeoutMs: CHANNEL_READ_TIMEOUT_MS,
};

/** What kind of entry `stats` describes, in words, when it is not a regular file. */
function oddKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  return 'not a regular file';
}

const tooLarge = (size: number, limit: number): string =>
  `too large: ${size} bytes (a channel file is at most ${limit})`;

/**
 * Reads `file` as UTF-8 if it is a regular file of at most `maxBytes`, within `timeoutMs`.
 * Never blocks on a FIFO: the entry is checked with `lstat`, opened non-blocking without
 * following links, and checked again on the open handle (it may have been swapped between).
 * Throws only for I/O errors other than "not there".
 */
export async function readBoundedFile(
  file: string,
  limits: ReadLimits = DEFAULT_LIMITS,
): Promise<BoundedRead> {
  const entry = await lstat(file);
  const kind = oddKind(entry);
  if (kind !== undefined) return { ok: false, reason: `skipped: ${kind}` };
  if (entry.size > limits.maxBytes)
    return { ok: false, reason: `skipped: ${tooLarge(entry.size, limits.maxBytes)}` };
  // O_NONBLOCK and O_NOFOLLOW do not exist on Windows; there lstat above is the guard.
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
  const handle = await open(file, flags).catch((error: NodeJS.ErrnoException) => {
    // Swapped for a link since lstat: O_NOFOLLOW refuses it.
    if (error.code === 'ELOOP') return undefined;
    throw error;
  });
  if (handle === undefined) return { ok: false, reason: 'skipped: a symbolic link' };
  let timer: NodeJS.Timeout | undefined;
  let stuck = false;
  try {
    const opened = await handle.stat();
    const openedKind = oddKind(opened);
    if (openedKind !== undefined) return { ok: false, reason: `skipped: ${openedKind}` };
    const buffer = Buffer.alloc(limits.maxBytes + 1);
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limits.timeoutMs);
    });
    const read = await Promise.race([handle.read(buffer, 0, buffer.length, 0), timedOut]);
    if (read === 'timeout') {
      stuck = true;
      return { ok: false, reason: `skipped: not read within ${limits.timeoutMs} ms` };
    }
    if (read.bytesRead > limits.maxBytes) {
      return { ok: false, reason: `skipped: ${tooLarge(read.bytesRead, limits.maxBytes)}` };
    }
    return { ok: true, text: buffer.subarray(0, read.bytesRead).toString('utf8') };
  } finally {
    clearTimeout(timer);
    // A stuck read may keep the handle busy: let it close in the background.
    const closing = handle.close();
    if (stuck) closing.catch(() => undefined);
    else await closing;
  }
}
