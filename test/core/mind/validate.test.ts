import { mkdtempSync, rmSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ForgedFiles } from '../../../tools/forge/index.ts';
import {
  Mind,
  MindError,
  validateAdapterFile,
  validateModelFile,
} from '../../../src/core/mind/index.ts';
import { forged, tinyConfig } from '../../support/forged.ts';

let files: ForgedFiles;
beforeAll(async () => {
  files = await forged();
});

async function refusal(promise: Promise<unknown>): Promise<MindError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MindError);
  return error as MindError;
}

describe('GGUF checks before llama.cpp sees a file', () => {
  it('accepts the forged model and adapters', async () => {
    const info = await validateModelFile(files.model);
    expect(info.metadata.general.architecture).toBe('llama');
    for (const adapter of Object.values(files.adapters))
      await validateAdapterFile(adapter, 'llama');
  });

  it('refuses models llama.cpp would abort on, naming the missing key', async () => {
    const ff = await refusal(validateModelFile(files.malformed.modelMissingFeedForward));
    expect(ff.code).toBe('invalid-model');
    expect(ff.message).toContain('llama.feed_forward_length is missing');
    const heads = await refusal(validateModelFile(files.malformed.modelMissingHeadCount));
    expect(heads.message).toContain('llama.attention.head_count is missing');
  });

  it('refuses a file that is not GGUF, and an adapter given as the model', async () => {
    const text = await refusal(validateModelFile(files.malformed.notGguf));
    expect(text.code).toBe('invalid-model');
    expect(text.message).toContain('not a readable GGUF file');
    const adapter = await refusal(validateModelFile(files.adapters.ROBIN));
    expect(adapter.message).toContain('this is a LoRA adapter, not a model');
  });

  it('refuses adapters with an integer alpha, another architecture, or general.type "model"', async () => {
    const alpha = await refusal(validateAdapterFile(files.malformed.adapterIntegerAlpha, 'llama'));
    expect(alpha.code).toBe('invalid-adapter');
    expect(alpha.message).toContain('adapter.lora.alpha is u32, expected f32');
    const arch = await refusal(
      validateAdapterFile(files.malformed.adapterWrongArchitecture, 'llama'),
    );
    expect(arch.message).toContain('its architecture is "qwen2" but the model\'s is "llama"');
    const model = await refusal(validateAdapterFile(files.model, 'llama'));
    expect(model.message).toContain('general.type is "model", expected "adapter"');
    const missing = await refusal(validateAdapterFile(join(files.outDir, 'nope.gguf'), 'llama'));
    expect(missing.message).toContain('does not exist');
  });

  it('Mind.load refuses every malformed model, and the process carries on', async () => {
    for (const bad of [
      files.malformed.modelMissingFeedForward,
      files.malformed.modelMissingHeadCount,
      files.malformed.notGguf,
    ]) {
      expect((await refusal(Mind.load(tinyConfig(bad)))).code).toBe('invalid-model');
    }
    // Still alive: the same process now loads the good model and uses it.
    const mind = await Mind.load(tinyConfig(files.model));
    try {
      for (const bad of [
        files.malformed.adapterIntegerAlpha,
        files.malformed.adapterWrongArchitecture,
      ]) {
        const error = await refusal(
          mind.chat({
            adapter: { path: bad, scale: 1 },
            systemPrompt: '',
            history: [],
            text: 'hello',
          }),
        );
        expect(error.code).toBe('invalid-adapter');
      }
      expect(mind.stats().contexts).toEqual([]);
      expect(await mind.chat({ systemPrompt: '', history: [], text: 'hello' })).toMatch(
        /^function \(self\)/,
      );
    } finally {
      await mind.close();
    }
  });
});

/** An empty folder for this test only. */
function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'batos-no-model-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('no model', () => {
  it('a missing file gives no-model with guidance', async () => {
    const dir = emptyDir();
    const error = await refusal(Mind.load(tinyConfig(join(dir, 'missing.gguf'))));
    expect(error.code).toBe('no-model');
    expect(error.message).toContain('npm run models:pull');
    expect(error.message).toContain('BATOS_MODEL');
  });

  it('an hf: URI that is not downloaded gives no-model without touching the network', async () => {
    const dir = emptyDir();
    const uri = 'hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M';
    const error = await refusal(
      Mind.load({ ...tinyConfig(uri), modelsDir: dir }, { download: false }),
    );
    expect(error.code).toBe('no-model');
    expect(error.message).toContain('npm run models:pull');
    expect(error.message).toContain(uri);
  });

  it('an hf: URI resolves offline once its file is in the models folder', async () => {
    const dir = emptyDir();
    await copyFile(files.model, join(dir, 'hf_batos_tiny.Q4_K_M.gguf'));
    await writeFile(join(dir, 'unrelated.gguf'), '');
    const mind = await Mind.load(
      { ...tinyConfig('hf:batos/tiny-GGUF:Q4_K_M'), modelsDir: dir },
      { download: false },
    );
    try {
      expect(mind.metadata.file).toBe(join(dir, 'hf_batos_tiny.Q4_K_M.gguf'));
    } finally {
      await mind.close();
    }
  });
});
