/**
 * Reading a channel file: only a regular file of bounded size, never blocking on a FIFO.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CHANNEL_FILE_BYTES, readBoundedFile } from '../../../src/core/upgrade/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'batos-bounded-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readBoundedFile', () => {
  it('reads a regular file and skips a FIFO, a directory, a link and an oversized file', async () => {
    const plain = path.join(dir, 'plain.json');
    await writeFile(plain, '{"a":1}');
    expect(await readBoundedFile(plain)).toEqual({ ok: true, text: '{"a":1}' });

    const fifo = path.join(dir, 'x.json');
    execFileSync('mkfifo', [fifo]);
    expect(await readBoundedFile(fifo)).toEqual({ ok: false, reason: 'skipped: a FIFO' });
    await mkdir(path.join(dir, 'd.json'));
    expect(await readBoundedFile(path.join(dir, 'd.json'))).toEqual({
      ok: false,
      reason: 'skipped: a directory',
    });
    await symlink(plain, path.join(dir, 'l.json'));
    expect(await readBoundedFile(path.join(dir, 'l.json'))).toEqual({
      ok: false,
      reason: 'skipped: a symbolic link',
    });
    await writeFile(path.join(dir, 'big.json'), 'x'.repeat(MAX_CHANNEL_FILE_BYTES + 1));
    expect(await readBoundedFile(path.join(dir, 'big.json'))).toEqual({
      ok: false,
      reason: `skipped: too large: ${MAX_CHANNEL_FILE_BYTES + 1} bytes (a channel file is at most ${MAX_CHANNEL_FILE_BYTES})`,
    });
  });
});
