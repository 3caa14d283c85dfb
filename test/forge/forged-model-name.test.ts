import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Mind } from '../../src/core/mind/index.ts';
import { LLAMA_3_1_8B_SHAPE, SMALL_SHAPE } from '../../tools/forge/index.ts';
import { isForgedModel } from '../../src/core/mind/forged-model.ts';
import { tinyMindConfig } from '../support/personas.ts';
import { forged } from '../support/forged.ts';
import { tempDir } from '../support/temp.ts';

describe('telling the forged model', () => {
  it('goes by the general.name the forge writes, not by the file name', async () => {
    const disguised = join(tempDir('batos-disguised-'), 'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf');
    await copyFile((await forged()).model, disguised);
    const mind = await Mind.load(tinyMindConfig(disguised));
    try {
      expect(isForgedModel(mind.metadata)).toBe(true);
    } finally {
      await mind.close();
    }
  });

  it('is no other model', () => {
    for (const name of [
      LLAMA_3_1_8B_SHAPE.name,
      SMALL_SHAPE.name,
      'Meta Llama 3.1 8B Instruct',
      null,
    ])
      expect(isForgedModel({ name }), String(name)).toBe(false);
  });
});
