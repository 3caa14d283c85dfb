import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  copyPrivateFile,
  createPrivateFile,
  ensurePrivateDir,
  othersCanRead,
} from '../../src/core/private-files.ts';
import { tempDir } from '../support/temp.ts';

/** The permission bits of `file`. */
const modeOf = (file: string): number => statSync(file).mode & 0o777;

describe('private files', () => {
  it('tells a mode others can read from one only the owner can', () => {
    expect(othersCanRead(0o100644)).toBe(true);
    expect(othersCanRead(0o100640)).toBe(true);
    expect(othersCanRead(0o100604)).toBe(true);
    expect(othersCanRead(0o100600)).toBe(false);
    expect(othersCanRead(0o040700)).toBe(false);
    expect(othersCanRead(0o100200)).toBe(false);
  });

  it('creates missing folders 0700 and leaves an existing folder as it is', async () => {
    const dir = tempDir();
    await ensurePrivateDir(join(dir, 'a', 'b'));
    expect(modeOf(join(dir, 'a'))).toBe(0o700);
    expect(modeOf(join(dir, 'a', 'b'))).toBe(0o700);
    mkdirSync(join(dir, 'open'));
    chmodSync(join(dir, 'open'), 0o755);
    await ensurePrivateDir(join(dir, 'open'));
    expect(modeOf(join(dir, 'open'))).toBe(0o755);
  });

  it('creates a new file 0600 and leaves an existing one, bytes and mode, alone', () => {
    const dir = tempDir();
    expect(createPrivateFile(join(dir, 'new'))).toBe(true);
    expect(modeOf(join(dir, 'new'))).toBe(0o600);
    writeFileSync(join(dir, 'old'), 'kept');
    chmodSync(join(dir, 'old'), 0o644);
    expect(createPrivateFile(join(dir, 'old'))).toBe(false);
    expect(modeOf(join(dir, 'old'))).toBe(0o644);
    expect(readFileSync(join(dir, 'old'), 'utf8')).toBe('kept');
  });

  it('copies a file others can read into a 0600 copy, replacing a readable one there', async () => {
    const dir = tempDir();
    const from = join(dir, 'from');
    writeFileSync(from, 'every message');
    chmodSync(from, 0o644);
    const to = join(dir, 'to');
    writeFileSync(to, 'an older, longer copy that was readable');
    chmodSync(to, 0o644);
    await copyPrivateFile(from, to);
    expect(readFileSync(to, 'utf8')).toBe('every message');
    expect(modeOf(to)).toBe(0o600);
    expect(modeOf(from)).toBe(0o644);
  });
});
