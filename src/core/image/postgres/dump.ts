/**
 * Copies of a PostgreSQL image as PostgreSQL's own tools make them: `pg_dump`'s custom
 * format, a consistent snapshot taken while the image keeps serving, and `pg_restore` to put
 * one back. Both the `backup` command and the steward use these.
 */
import { execFile } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { ImageError } from '../../errors.ts';
import { createPrivateFile, ensurePrivateDirSync } from '../../private-files.ts';
import { findPostgresBinary } from './binaries.ts';
import { redactedLocation } from './location.ts';

const run = promisify(execFile);

/** Dumps the database at `url` to a new 0600 `file`, which appears only once complete. */
export async function dumpDatabase(url: string, file: string): Promise<void> {
  ensurePrivateDirSync(dirname(file));
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  // pg_dump truncates the file it is given and keeps its mode: the dump is 0600.
  createPrivateFile(partial);
  try {
    await run(tool('pg_dump'), ['--format=custom', `--file=${partial}`, url]);
  } catch (error) {
    rmSync(partial, { force: true });
    throw toolFailure('pg_dump', url, error);
  }
  renameSync(partial, file);
}

/**
 * Replaces the image in the database at `url` with the one dumped in `file`, in one
 * transaction: it is either all back or not at all.
 */
export async function restoreDatabase(url: string, file: string): Promise<void> {
  try {
    await run(tool('pg_restore'), [
      '--clean',
      '--if-exists',
      '--single-transaction',
      '--no-owner',
      `--dbname=${url}`,
      file,
    ]);
  } catch (error) {
    throw toolFailure('pg_restore', url, error);
  }
}

/** Where PostgreSQL keeps the program (often off PATH: /usr/lib/postgresql/<major>/bin). */
function tool(name: string): string {
  return findPostgresBinary(name) ?? name;
}

function toolFailure(program: string, url: string, error: unknown): ImageError {
  const { code, stderr } = error as { code?: string; stderr?: string };
  // The tools echo the connection string in some errors: never let the password through.
  const said = (stderr ?? String(error)).trim().replaceAll(url, redactedLocation(url));
  return new ImageError(
    'io',
    code === 'ENOENT'
      ? `PostgreSQL's \`${program}\` was not found (on PATH or where PostgreSQL installs it): install PostgreSQL's client programs (Debian: postgresql-client) to back up or restore a PostgreSQL image. Nothing was changed.`
      : `${program} failed for ${redactedLocation(url)}: ${said}`,
    { cause: error },
  );
}
