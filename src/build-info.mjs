/**
 * What ties the built JavaScript in `dist/` to the TypeScript it was built from: a fingerprint
 * of every file under `src/`, which `npm run build` writes into `dist/build.json` and the
 * launcher (`src/launch.mjs`) compares before it runs the build, so that a build older than
 * its sources never runs. Plain JavaScript, since the launcher runs before anything is
 * compiled.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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
 * The fingerprint the build in `buildDir` was made from, or undefined when there is no
 * readable build record there.
 *
 * @param {string} buildDir
 * @returns {string | undefined}
 */
export function builtFingerprint(buildDir) {
  try {
    const info = JSON.parse(readFileSync(path.join(buildDir, BUILD_INFO_FILE), 'utf8'));
    return typeof info?.sources === 'string' ? info.sources : undefined;
  } catch {
    return undefined;
  }
}
