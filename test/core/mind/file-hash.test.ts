import { createHash } from 'node:crypto';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashCachePath, sha256OfFile } from '../../../src/core/mind/file-hash.ts';
import { tempDir } from '../../support/temp.ts';

describe('sha256OfFile', () => {
  const dir = tempDir('batos-hash-');

  it('streams the digest, caches it beside the models, and re-hashes when the file changes', async () => {
    const file = join(dir, 'model.gguf');
    const cacheDir = join(dir, 'models');
    await writeFile(file, 'weights');
    const expected = createHash('sha256').update('weights').digest('hex');
    expect(await sha256OfFile(file, cacheDir)).toBe(expected);

    // A doctored cache entry is believed while path, size and mtime match: the file is not read again.
    const cachePath = hashCachePath(file, cacheDir);
    const record = JSON.parse(await readFile(cachePath, 'utf8')) as Record<string, unknown>;
    await writeFile(cachePath, JSON.stringify({ ...record, sha256: 'cached' }));
    expect(await sha256OfFile(file, cacheDir)).toBe('cached');

    const later = new Date(Date.now() + 5_000);
    await utimes(file, later, later);
    expect(await sha256OfFile(file, cacheDir)).toBe(expected);
  });
});
