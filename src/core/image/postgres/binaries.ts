/**
 * Finding PostgreSQL's programs (`pg_dump`, `pg_restore`, `initdb`, `pg_ctl`, `postgres`) on
 * this machine, for backups of an image on PostgreSQL and for the test server. Distributions
 * keep them off PATH (Debian: /usr/lib/postgresql/<major>/bin), so the places they are
 * installed are searched, newest major version first: `pg_dump` must be at least as new as
 * the server it dumps.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OperatorError } from '../../errors.ts';

/** Folders that hold one major version each, `<parent>/<major>/bin` or `<prefix><major>/bin`. */
const VERSIONED_ROOTS = [
  { parent: '/usr/lib/postgresql', prefix: '' },
  { parent: '/usr', prefix: 'pgsql-' },
  { parent: '/opt/homebrew/opt', prefix: 'postgresql@' },
  { parent: '/usr/local/opt', prefix: 'postgresql@' },
] as const;

/** Folders without a version in their name, searched after the versioned ones. */
const PLAIN_DIRS = ['/usr/local/pgsql/bin', '/usr/local/bin', '/usr/bin'];

/** Where to look, besides the usual places. */
export interface PostgresSearch {
  /** Searched first, in order (e.g. a folder of binaries shipped in a package). */
  readonly dirs?: readonly string[];
}

/**
 * The folders where PostgreSQL's programs may be, in the order they are searched: `dirs`,
 * then `pg_config --bindir`, then the versioned install folders (newest major first), then
 * the plain ones.
 */
export function postgresBinDirs(search: PostgresSearch = {}): string[] {
  const dirs = [...(search.dirs ?? [])];
  const configured = pgConfigBinDir();
  if (configured !== undefined) dirs.push(configured);
  for (const { parent, prefix } of VERSIONED_ROOTS) {
    const majors = listDir(parent)
      .filter((name) => name.startsWith(prefix) && /^\d+(\.\d+)?$/.test(name.slice(prefix.length)))
      .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
    dirs.push(...majors.map((name) => join(parent, name, 'bin')));
  }
  dirs.push(...PLAIN_DIRS);
  return [...new Set(dirs)];
}

/**
 * The path of PostgreSQL's program `name` (e.g. `pg_dump`), or `undefined` when none of
 * {@link postgresBinDirs} has it.
 */
export function findPostgresBinary(name: string, search: PostgresSearch = {}): string | undefined {
  for (const dir of postgresBinDirs(search)) {
    const path = join(dir, name);
    if (isExecutable(path)) return path;
  }
  return undefined;
}

/**
 * Like {@link findPostgresBinary}, but a missing program is an error that says where it was
 * looked for and how to install it.
 */
export function requirePostgresBinary(name: string, search: PostgresSearch = {}): string {
  const found = findPostgresBinary(name, search);
  if (found !== undefined) return found;
  throw new OperatorError(
    'missing-program',
    `PostgreSQL's ${name} was not found (looked in ${postgresBinDirs(search).join(', ')}); install the PostgreSQL client programs (Debian/Ubuntu: apt-get install postgresql-client, macOS: brew install postgresql) at the server's major version or newer.`,
  );
}

function pgConfigBinDir(): string | undefined {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dir === '' ? undefined : dir;
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
