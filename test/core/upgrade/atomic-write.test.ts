import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readHealthFile,
  writeFileAtomic,
  writeHealthFile,
} from '../../../src/core/upgrade/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'batos-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates the folder, writes the whole file and leaves no temporary file', async () => {
    const file = path.join(dir, 'a', 'b', 'x.json');
    await writeFileAtomic(file, 'hello');
    expect(await readFile(file, 'utf8')).toBe('hello');
    expect(await readdir(path.dirname(file))).toEqual(['x.json']);
  });

  it('lets concurrent writers race without ever exposing a torn file', async () => {
    const file = path.join(dir, 'x.txt');
    const bodies = Array.from({ length: 20 }, (_, i) => String(i).repeat(50_000));
    await Promise.all(bodies.map((b) => writeFileAtomic(file, b)));
    expect(bodies).toContain(await readFile(file, 'utf8'));
    expect(await readdir(dir)).toEqual(['x.txt']);
  });

  it('removes its temporary file when the rename fails', async () => {
    const target = path.join(dir, 'taken');
    await mkdir(path.join(target, 'inner'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

describe('health file', () => {
  it('round-trips, and reads anything else as absent', async () => {
    const file = path.join(dir, 'health.json');
    expect(await readHealthFile(file)).toBeUndefined();
    const info = {
      version: '1.3.0',
      revision: 'd4e5f6a',
      pid: 123,
      startedAt: '2026-01-01T00:00:00.000Z',
      ready: true as const,
      objects: 1204,
    };
    await writeHealthFile(file, info);
    expect(await readHealthFile(file)).toEqual(info);
    await writeFileAtomic(file, JSON.stringify({ ...info, ready: false }));
    expect(await readHealthFile(file)).toBeUndefined();
    await writeFileAtomic(file, '{');
    expect(await readHealthFile(file)).toBeUndefined();
  });
});
