/** The adapter file's checksum the browser's personas page shows, or why there is none. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterChecksum } from '../../src/personas/adapter-file.ts';
import { tempDir } from '../support/temp.ts';

describe('adapterChecksum', () => {
  it('hashes a file in the LoRA folder, and reads nothing a slot names outside it', async () => {
    const root = tempDir();
    const loraDir = join(root, 'lora');
    writeFileSync(join(root, 'outside.gguf'), 'not for the page');
    mkdirSync(loraDir);
    writeFileSync(join(loraDir, 'robin.gguf'), 'robin');
    expect(await adapterChecksum(loraDir, 'robin.gguf')).toBe(
      createHash('sha256').update('robin').digest('hex'),
    );
    // Cached beside the file, as model digests are.
    expect(existsSync(join(loraDir, 'robin.gguf.sha256'))).toBe(true);
    expect(await adapterChecksum(loraDir, '../outside.gguf')).toBe(
      'none: "../outside.gguf" is not a file name inside the LoRA folder',
    );
    expect(await adapterChecksum(loraDir, '')).toBe('none: no adapter is set');
    expect(await adapterChecksum(loraDir, 'brick.gguf')).toBe(
      'none: brick.gguf is not in the LoRA folder',
    );
  });
});
