import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exposedFiles } from '../../src/config/file-modes.ts';
import { othersCanRead } from '../../src/core/private-files.ts';
import { checkFileModes } from '../../src/preflight.ts';
import { tempDir } from '../support/temp.ts';

/** A file in `dir` made with `mode`. */
function fileWith(dir: string, name: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, 'x');
  chmodSync(path, mode);
  return path;
}

describe('who may read the files that hold secrets', () => {
  it('group or world read bits make a file readable by others; write or run bits alone do not', () => {
    expect([0o600, 0o700, 0o400, 0o622, 0o611].map(othersCanRead)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([0o644, 0o640, 0o604, 0o666, 0o755].map(othersCanRead)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('names each exposed file with its mode and the chmod that fixes it; missing files pass', () => {
    const dir = tempDir();
    const open = fileWith(dir, 'open', 0o644);
    const quoted = fileWith(dir, "it's here", 0o640);
    const closed = fileWith(dir, 'closed', 0o600);
    expect(exposedFiles([open, quoted, closed, join(dir, 'missing')])).toEqual([
      { path: open, mode: '644', fix: `chmod 600 ${open}` },
      { path: quoted, mode: '640', fix: `chmod 600 '${join(dir, "it'\\''s here")}'` },
    ]);
  });

  it('for a PostgreSQL image only .env is checked; for SQLite the image and its -wal and -shm too', () => {
    const dir = tempDir();
    const envFile = fileWith(dir, '.env', 0o644);
    const image = fileWith(dir, 'x.db', 0o644);
    fileWith(dir, 'x.db-wal', 0o644);
    const onPostgres = checkFileModes({
      envFile,
      imageLocation: 'postgres://batos@127.0.0.1/batos',
      fileCheck: 'refuse',
    });
    expect(onPostgres.map((f) => [f.status, f.variable])).toEqual([
      ['problem', 'BATOS_FILE_CHECK'],
    ]);
    const onSqlite = checkFileModes({ envFile, imageLocation: image, fileCheck: 'warn' });
    expect(onSqlite.map((f) => [f.status, f.variable])).toEqual([
      ['warning', 'BATOS_FILE_CHECK'],
      ['warning', 'BATOS_IMAGE'],
      ['warning', 'BATOS_IMAGE'],
    ]);
    expect(onSqlite[2]!.line).toContain(`chmod 600 ${image}-wal`);
  });
});
