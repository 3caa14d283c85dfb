/**
 * What ties the built JavaScript in `dist/` to the TypeScript it was built from, so that a
 * build older than its sources never runs. `npm run build` writes into `dist/build.json` a
 * fingerprint of every file under `src/` (names and contents) and, beside it, each file's
 * and folder's size and change times; the launcher (`src/launch.mjs`) compares those times
 * with a `stat` of each, which costs a few milliseconds, and hashes the sources only when
 * one differs (a file edited, added, touched, copied or checked out again): the build runs
 * when the contents still match. Plain JavaScript, since the launcher runs before anything
 * is compiled.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The build's record, in the build folder. */
export const BUILD_INFO_FILE = 'build.json';

/**
 * Every file under `srcDir`, relative to it, in name order.
 *
 * @param {string} srcDir
 * @returns {string[]}
 */
export function sourceFiles(srcDir) {
  return readdirSync(srcDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(srcDir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * The SHA-256 of every file under `srcDir` (names and contents, in name order): any edit,
 * new file or removed file changes it. About 25 ms for BAT OS's sources.
 *
 * @param {string} srcDir
 * @returns {string}
 */
export function sourceFingerprint(srcDir) {
  const hash = createHash('sha256');
  for (const file of sourceFiles(srcDir)) {
    // Separators keep "a" + "bc" from hashing like "ab" + "c".
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(readFileSync(path.join(srcDir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * Each file and folder under `srcDir` (folders named with a trailing `/`, `srcDir` itself
 * as `./`) with its size and its modification and change times in ns. An edit changes a
 * file's; a file added, removed or renamed changes its folder's, so checking the recorded
 * entries alone notices it, with no listing of the folders. The change time cannot be set
 * back by hand (`touch -d` sets only the other). Names use `/` on every platform.
 *
 * @param {string} srcDir
 * @returns {Record<string, string>}
 */
export function sourceStamps(srcDir) {
  /** @type {Record<string, string>} */
  const stamps = { './': stampOf(srcDir) };
  for (const entry of readdirSync(srcDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isDirectory()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const name = path.relative(srcDir, file).split(path.sep).join('/');
    stamps[entry.isDirectory() ? `${name}/` : name] = stampOf(file);
  }
  return stamps;
}

/** @param {string} file */
function stampOf(file) {
  const stat = statSync(file, { bigint: true });
  return `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/**
 * How long before the stamps were taken a change must have been for its stamp to be
 * trusted. File times come from a clock that ticks every few milliseconds: an edit in the
 * same tick as the one the build stamped leaves the stamp as it was (git's "racily clean"
 * entries), so a file changed shortly before the build is hashed instead.
 */
const SETTLED_MS = 2_000;

/**
 * Whether every entry recorded in `stamps` is still as it was under `srcDir`, and changed
 * long enough before `stampedAt` for its stamp to say so.
 *
 * @param {string} srcDir
 * @param {Record<string, string>} stamps
 * @param {number} stampedAt
 */
function stampsHold(srcDir, stamps, stampedAt) {
  const settled = BigInt(Math.floor(stampedAt - SETTLED_MS)) * 1_000_000n;
  for (const [name, stamp] of Object.entries(stamps)) {
    try {
      if (stampOf(path.join(srcDir, name)) !== stamp) return false;
    } catch {
      return false;
    }
    if (BigInt(stamp.slice(stamp.lastIndexOf(':') + 1)) >= settled) return false;
  }
  return true;
}

/**
 * The build record to write into the build folder for the sources in `srcDir` as they are.
 *
 * @param {string} srcDir
 * @returns {{ sources: string, stamps: Record<string, string>, stampedAt: number, builtAt: string }}
 */
export function buildRecord(srcDir) {
  // Stamps first: a file edited while the hash is taken then differs from its stamp, so
  // the next start hashes again instead of trusting a stamp newer than the hash.
  const stamps = sourceStamps(srcDir);
  const stampedAt = Date.now();
  return {
    sources: sourceFingerprint(srcDir),
    stamps,
    stampedAt,
    builtAt: new Date().toISOString(),
  };
}

/**
 * The record of the build in `buildDir`, or undefined when there is no readable one there.
 *
 * @param {string} buildDir
 * @returns {{ sources: string, stamps?: Record<string, string>, stampedAt: number, builtAt?: string } | undefined}
 */
function readRecord(buildDir) {
  try {
    const info = JSON.parse(readFileSync(path.join(buildDir, BUILD_INFO_FILE), 'utf8'));
    if (typeof info?.sources !== 'string') return undefined;
    // A record from before stamps were kept has none: the sources are hashed.
    return typeof info.stamps === 'object' &&
      info.stamps !== null &&
      typeof info.stampedAt === 'number'
      ? info
      : { ...info, stamps: undefined, stampedAt: 0 };
  } catch {
    return undefined;
  }
}

/**
 * Whether the build in `buildDir` was made from the sources in `srcDir` as they are now:
 * `missing` (no build record), `stale` (the sources changed since), or `current`. Cheap when
 * nothing changed (a `stat` per recorded file and folder, about 2 ms); hashes the sources
 * only when a stamp differs from the build's, so a file touched or checked out again
 * without an edit still runs the build.
 *
 * @param {string} srcDir
 * @param {string} buildDir
 * @returns {'current' | 'stale' | 'missing'}
 */
export function buildState(srcDir, buildDir) {
  const record = readRecord(buildDir);
  if (record === undefined) return 'missing';
  if (record.stamps !== undefined && stampsHold(srcDir, record.stamps, record.stampedAt))
    return 'current';
  const now = buildRecord(srcDir);
  if (now.sources !== record.sources) return 'stale';
  // Same contents, new stamps (the steward's swap checks the sources out anew): the next
  // start is cheap again. A build folder that cannot be written only stays slower.
  restamp(buildDir, { ...record, stamps: now.stamps, stampedAt: now.stampedAt });
  return 'current';
}

/**
 * Replaces the build record in `buildDir`, atomically (a start reading it meanwhile sees the
 * old or the new one); does nothing when the folder cannot be written.
 *
 * @param {string} buildDir
 * @param {object} record
 */
function restamp(buildDir, record) {
  const file = path.join(buildDir, BUILD_INFO_FILE);
  const next = `${file}.${process.pid}`;
  try {
    writeFileSync(next, `${JSON.stringify(record)}\n`);
    renameSync(next, file);
  } catch {
    // Read-only, or gone: the stamps are only a shortcut.
    rmSync(next, { force: true });
  }
}
