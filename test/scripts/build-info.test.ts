import {
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUILD_INFO_FILE, buildRecord, buildState, sourceStamps } from '../../src/build-info.mjs';
import { tempDir } from '../support/temp.ts';

/** A small source tree and a build record made from it, as `npm run build` writes one. */
function built(): { src: string; dist: string } {
  const dir = tempDir('batos-build-info-');
  const src = join(dir, 'src');
  const dist = join(dir, 'dist');
  mkdirSync(join(src, 'core'), { recursive: true });
  mkdirSync(dist);
  writeFileSync(join(src, 'main.ts'), 'export const answer = 42;\n');
  writeFileSync(join(src, 'core', 'image.ts'), 'export const image = "live";\n');
  writeFileSync(join(dist, BUILD_INFO_FILE), JSON.stringify(buildRecord(src)));
  return { src, dist };
}

interface BuildRecord {
  sources: string;
  stamps: Record<string, string>;
  stampedAt: number;
  builtAt: string;
}

function record(dist: string): BuildRecord {
  return JSON.parse(readFileSync(join(dist, BUILD_INFO_FILE), 'utf8')) as BuildRecord;
}

function rewrite(dist: string, change: Partial<BuildRecord>): void {
  writeFileSync(join(dist, BUILD_INFO_FILE), JSON.stringify({ ...record(dist), ...change }));
}

/**
 * As if the stamps were taken a minute after the files last changed, so that they are
 * trusted; then waits past the file clock's tick, so an edit gets a new change time.
 */
async function settled(dist: string): Promise<void> {
  rewrite(dist, { stampedAt: record(dist).stampedAt + 60_000 });
  await sleep(30);
}

describe('whether the build is current (src/build-info.mjs)', () => {
  it('is current for the sources it was made from, and missing without a record', () => {
    const { src, dist } = built();
    expect(buildState(src, dist)).toBe('current');
    rmSync(join(dist, BUILD_INFO_FILE));
    expect(buildState(src, dist)).toBe('missing');
  });

  it('notices an edit that keeps the size and sets the modification time back', async () => {
    const { src, dist } = built();
    const file = join(src, 'core', 'image.ts');
    // A whole second, so that setting it again gives the very same nanoseconds.
    const mtime = new Date('2026-01-01T00:00:00Z');
    utimesSync(file, mtime, mtime);
    rewrite(dist, { stamps: sourceStamps(src) });
    await settled(dist);
    expect(buildState(src, dist)).toBe('current');
    const before = statSync(file, { bigint: true });
    writeFileSync(file, 'export const image = "dead";\n');
    utimesSync(file, mtime, mtime);
    const after = statSync(file, { bigint: true });
    expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
    expect(buildState(src, dist)).toBe('stale');
  });

  it('hashes files changed just before their stamps were taken (one clock tick looks alike)', () => {
    const { src, dist } = built();
    // An edit in the tick the build stamped: same size, and the same stamp as recorded.
    writeFileSync(join(src, 'main.ts'), 'export const answer = 43;\n');
    rewrite(dist, { stamps: sourceStamps(src), stampedAt: Date.now() });
    expect(buildState(src, dist)).toBe('stale');
  });

  it('notices a file added, removed or renamed, in any folder', async () => {
    const added = built();
    await settled(added.dist);
    writeFileSync(join(added.src, 'core', 'new.ts'), 'export {};\n');
    expect(buildState(added.src, added.dist)).toBe('stale');

    const removed = built();
    await settled(removed.dist);
    rmSync(join(removed.src, 'core', 'image.ts'));
    expect(buildState(removed.src, removed.dist)).toBe('stale');

    const renamed = built();
    await settled(renamed.dist);
    renameSync(join(renamed.src, 'core', 'image.ts'), join(renamed.src, 'core', 'images.ts'));
    expect(buildState(renamed.src, renamed.dist)).toBe('stale');
  });

  it('runs a build whose sources were written again unchanged, and keeps their new stamps', async () => {
    const { src, dist } = built();
    await settled(dist);
    const file = join(src, 'main.ts');
    const old = record(dist).stamps['main.ts'];
    // As the steward's swap does: the same contents, checked out anew.
    rmSync(file);
    writeFileSync(file, 'export const answer = 42;\n');
    expect(buildState(src, dist)).toBe('current');
    const restamped = record(dist);
    expect(restamped.stamps['main.ts']).not.toBe(old);
    expect(restamped.stamps).toEqual(sourceStamps(src));
    expect(restamped.builtAt).toBe(record(dist).builtAt);
    expect(buildState(src, dist)).toBe('current');
  });

  it('hashes the sources of a record from before stamps were kept', () => {
    const { src, dist } = built();
    writeFileSync(join(dist, BUILD_INFO_FILE), JSON.stringify({ sources: record(dist).sources }));
    expect(buildState(src, dist)).toBe('current');
    writeFileSync(join(src, 'main.ts'), 'export const answer = 43;\n');
    expect(buildState(src, dist)).toBe('stale');
  });
});
