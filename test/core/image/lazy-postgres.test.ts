/**
 * A SQLite image never loads `pg`: the driver (and the fetch it pulls in) costs a start
 * hundreds of milliseconds, so it loads only for an image on PostgreSQL. Checked in a fresh
 * process, whose module cache holds only what the code asked for.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** Runs `body` (an ES module's text) with tsx; answers whether `pg` was loaded by then. */
function loadsPg(body: string): boolean {
  const script = `${body}
const { createRequire } = await import('node:module');
const cache = createRequire(import.meta.url).cache;
console.log(JSON.stringify(Object.keys(cache).some((k) => k.includes('/node_modules/pg/'))));`;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as boolean;
}

describe('pg loads only for PostgreSQL', () => {
  it('opens a SQLite image, through the start module, without loading pg', () => {
    const image = join(tempDir('batos-lazy-pg-'), 'image.db');
    expect(
      loadsPg(`await import('./src/start.ts');
const { Image } = await import('./src/core/image/index.ts');
const opened = await Image.open(${JSON.stringify(image)});
await opened.close();`),
    ).toBe(false);
  });

  it('loads pg with the PostgreSQL store', () => {
    expect(loadsPg(`await import('./src/core/image/postgres/postgres-store.ts');`)).toBe(true);
  });
});
