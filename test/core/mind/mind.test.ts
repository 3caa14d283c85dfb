import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DISPLAY_YOURSELF_SOURCE,
  PERSONA_SIGNATURES,
  ROUTER_CHOICE,
} from '../../../tools/forge/index.ts';
import { PERSONA_NAMES } from '../../../src/personas/names.ts';
import type { ForgedFiles } from '../../../tools/forge/index.ts';
import type { PersonaName } from '../../../src/personas/names.ts';
import { Mind } from '../../../src/core/mind/index.ts';
import { forged, tinyConfig } from '../../support/forged.ts';
import { genesisPrompt, rejection } from '../../support/mind-requests.ts';
import { mindContract } from '../../support/mind-contract.ts';

let files: ForgedFiles;
let mind: Mind;
beforeAll(async () => {
  files = await forged();
  mind = await Mind.load(tinyConfig(files.model));
});
afterAll(() => mind?.close());

const persona = (name: PersonaName) => ({ path: files.adapters[name], scale: 1 });

describe('Mind on the forged model', () => {
  it('describes the model for the pLLM object, hash from a streamed read', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(files.model))
      .digest('hex');
    expect(mind.metadata).toMatchObject({
      file: files.model,
      sha256,
      id: `tiny-model.gguf@${sha256.slice(0, 12)}`,
      architecture: 'llama',
      name: 'batos-tiny',
      quantisation: 'F32',
      contextLength: 4096,
    });
    expect(mind.metadata.sizeBytes).toBeGreaterThan(0);
  });

  it('writes display_yourself for the real covenant prompt, under the grammar, deterministically', async () => {
    const prompt = genesisPrompt();
    expect(prompt.system).toContain('ONE method');
    const first = await mind.generateMethod(prompt);
    expect(first.source).toBe(DISPLAY_YOURSELF_SOURCE);
    expect(first.model).toBe(mind.metadata.id);
    expect(first.promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.tokens).toBeGreaterThan(10);
    expect(await mind.generateMethod(prompt)).toEqual(first);
  });

  mindContract(() => mind);

  it('keeps one context per adapter set it has used', () => {
    expect(mind.stats().contexts).toHaveLength(PERSONA_NAMES.length + 1);
  });

  it('times out or aborts with a clear code', async () => {
    const prompt = genesisPrompt();
    expect((await rejection(mind.generateMethod(prompt, { timeoutMs: 1 }))).code).toBe('timeout');
    expect(
      (await rejection(mind.generateMethod(prompt, { signal: AbortSignal.timeout(0) }))).code,
    ).toBe('timeout');
    const controller = new AbortController();
    controller.abort();
    expect((await rejection(mind.generateMethod(prompt, { signal: controller.signal }))).code).toBe(
      'aborted',
    );
    // A timed-out generation leaves the context usable.
    expect((await mind.generateMethod(prompt)).source).toBe(DISPLAY_YOURSELF_SOURCE);
  });

  it('runs a method, a reply and a choice at once, on sequences of one context', async () => {
    const results = await Promise.all([
      mind.generateMethod(genesisPrompt()),
      mind.chat({ systemPrompt: 'x', history: [], text: 'y' }),
      mind.choose(PERSONA_NAMES, 'who?'),
    ]);
    expect(results[0].source).toBe(DISPLAY_YOURSELF_SOURCE);
    expect(results[1]).toBe(DISPLAY_YOURSELF_SOURCE);
    expect(results[2]).toBe(ROUTER_CHOICE);
  });
});

describe('Mind limits', () => {
  it('evicts the least recently used context when the budget is exceeded', async () => {
    const budget = Math.floor(mind.stats().bytesPerContext * 2.5);
    const small = await Mind.load(tinyConfig(files.model, { memoryBudgetBytes: budget }));
    try {
      const say = (name: PersonaName) =>
        small.chat({ adapter: persona(name), systemPrompt: '', history: [], text: 'hi' });
      expect(await say('ROBIN')).toBe(PERSONA_SIGNATURES.ROBIN);
      expect(await say('BRICK')).toBe(PERSONA_SIGNATURES.BRICK);
      expect(await say('ROBIN')).toBe(PERSONA_SIGNATURES.ROBIN);
      expect(await say('BABS')).toBe(PERSONA_SIGNATURES.BABS);
      // BRICK was least recently used: gone; ROBIN and BABS stay.
      expect(small.stats().contexts).toEqual([
        `${files.adapters.ROBIN}@1`,
        `${files.adapters.BABS}@1`,
      ]);
      expect(small.stats().evictions).toBe(1);
      expect(await say('BRICK')).toBe(PERSONA_SIGNATURES.BRICK);
    } finally {
      await small.close();
    }
  });

  it('refuses a budget smaller than one context', async () => {
    const error = await rejection(Mind.load(tinyConfig(files.model, { memoryBudgetBytes: 1024 })));
    expect(error.code).toBe('memory-budget');
    expect(error.message).toContain('BATOS_MEMORY_BUDGET_MB');
  });

  it('refuses a method prompt longer than a context sequence, naming the setting', async () => {
    const small = await Mind.load(tinyConfig(files.model, { contextSize: 256 }));
    try {
      const error = await rejection(small.generateMethod(genesisPrompt()));
      expect(error.code).toBe('generation-failed');
      expect(error.message).toContain('BATOS_CONTEXT_SIZE=256');
    } finally {
      await small.close();
    }
  });

  it('reports an unfinished method as incomplete', async () => {
    const tight = await Mind.load(tinyConfig(files.model, { maxMethodTokens: 8 }));
    try {
      const error = await rejection(tight.generateMethod(genesisPrompt()));
      expect(error.code).toBe('incomplete');
      expect(error.message).toContain('BATOS_MAX_METHOD_TOKENS');
    } finally {
      await tight.close();
    }
    expect((await rejection(tight.generateMethod(genesisPrompt()))).code).toBe('closed');
  });
});
