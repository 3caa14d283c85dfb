/**
 * SHA-256 of a model file, streamed, with a sidecar cache: hashing a 5 GB file takes
 * seconds, so the digest is kept in `<modelsDir>/<file name>.sha256` and reused while the
 * file's path, size and modification time are unchanged.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

interface HashRecord {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** Where the cached digest of `file` is kept. */
export function hashCachePath(file: string, cacheDir: string): string {
  return join(cacheDir, `${basename(file)}.sha256`);
}

/** The file's SHA-256 (hex), from the cache when it is still valid. */
export async function sha256OfFile(file: string, cacheDir: string): Promise<string> {
  const { size, mtimeMs } = await stat(file);
  const cachePath = hashCachePath(file, cacheDir);
  const cached = await readFile(cachePath, 'utf8')
    .then((text) => JSON.parse(text) as Partial<HashRecord>)
    .catch(() => undefined);
  if (
    cached?.path === file &&
    cached.size === size &&
    cached.mtimeMs === mtimeMs &&
    cached.sha256
  ) {
    return cached.sha256;
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 22 }), hash);
  const sha256 = hash.digest('hex');
  const record: HashRecord = { path: file, size, mtimeMs, sha256 };
  // A read-only models folder only costs a re-hash next start.
  await mkdir(cacheDir, { recursive: true })
    .then(() => writeFile(cachePath, JSON.stringify(record) + '\n'))
    .catch(() => undefined);
  return sha256;
}
