/**
 * Whether the files that hold secrets — `.env` (tokens, the upgrade key) and a SQLite image
 * (everyone's objects and private threads) — can be read by users other than their owner.
 * Only looks: nothing here changes a mode.
 */
import { statSync } from 'node:fs';
import { othersCanRead } from '../core/private-files.ts';

/** A file others can read, with its mode and the command that makes it private. */
export interface ExposedFile {
  readonly path: string;
  /** Its permission bits, such as `644`. */
  readonly mode: string;
  /** The command that fixes it: `chmod 600 <path>`. */
  readonly fix: string;
}

/**
 * Those of `paths` that exist and that other users can read. Windows has no such modes, so
 * nothing is reported there.
 */
export function exposedFiles(paths: readonly string[]): ExposedFile[] {
  if (process.platform === 'win32') return [];
  return paths.flatMap((path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile() || !othersCanRead(stat.mode)) return [];
    const quoted = /^[\w./-]+$/u.test(path) ? path : `'${path.replace(/'/gu, `'\\''`)}'`;
    return [{ path, mode: (stat.mode & 0o777).toString(8), fix: `chmod 600 ${quoted}` }];
  });
}
