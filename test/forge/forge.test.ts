import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { DISPLAY_YOURSELF_SOURCE, forge, PERSONA_SIGNATURES } from '../../tools/forge/index.ts';
import { PERSONA_NAMES } from '../../src/personas/names.ts';
import { designTinyModel } from '../../tools/forge/tiny-model.ts';
import { tempDir } from '../support/temp.ts';

describe('forge', () => {
  const dir = tempDir('batos-forge-');

  it('writes the model, four adapters and the malformed files', async () => {
    const files = await forge({ outDir: join(dir, 'a') });
    expect(Object.keys(files.adapters)).toEqual([...PERSONA_NAMES]);
    const info = await readGgufFileInfo(files.model, { logWarnings: false });
    expect(info.metadata.general).toMatchObject({ architecture: 'llama', type: 'model' });
    const adapter = await readGgufFileInfo(files.adapters.ALFRED, { logWarnings: false });
    expect(adapter.metadata.general).toMatchObject({ architecture: 'llama', type: 'adapter' });
    expect(adapter.tensorInfo!.map((t) => t.name)).toEqual([
      'output.weight.lora_a',
      'output.weight.lora_b',
    ]);
    for (const path of Object.values(files.malformed))
      expect((await stat(path)).size).toBeGreaterThan(0);
  });

  it('is idempotent: a second run shares the first and rewrites nothing', async () => {
    const outDir = join(dir, 'b');
    const [first, second] = await Promise.all([forge({ outDir }), forge({ outDir })]);
    expect(second).toEqual(first);
    const before = (await stat(first.model)).mtimeMs;
    const bytes = await readFile(first.model);
    const again = await forge({ outDir: join(dir, 'b', '.') });
    expect(again.model).toBe(first.model);
    expect((await stat(first.model)).mtimeMs).toBe(before);
    expect((await readFile(first.model)).equals(bytes)).toBe(true);
  });

  it('lays out chains whose pieces decode to the answers, no token used twice', () => {
    const design = designTinyModel();
    const text = (ids: readonly number[]) =>
      ids.map((id) => design.vocabulary.tokens[id]!.replaceAll('\u2581', ' ')).join('');
    expect(text(design.sourceChain)).toBe(DISPLAY_YOURSELF_SOURCE);
    for (const name of PERSONA_NAMES)
      expect(text(design.personaChains[name])).toBe(PERSONA_SIGNATURES[name]);
    const all = [design.sourceChain, ...PERSONA_NAMES.map((n) => design.personaChains[n])].flat();
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(Object.values(PERSONA_SIGNATURES)).size).toBe(PERSONA_NAMES.length);
  });
});
