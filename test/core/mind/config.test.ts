import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, MindError, parseMindConfig } from '../../../src/core/mind/index.ts';

describe('parseMindConfig', () => {
  it('gives defaults for an empty environment', () => {
    const config = parseMindConfig({}, { cores: 6 });
    expect(config).toMatchObject({
      model: DEFAULT_MODEL,
      modelsDir: 'models',
      gpu: 'auto',
      threads: 6,
      contextSize: 4096,
      memoryBudgetBytes: 4096 * 2 ** 20,
      generationTimeoutMs: 120_000,
      maxMethodTokens: 512,
    });
    expect(DEFAULT_MODEL).toBe('hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M');
  });

  it('reads every variable', () => {
    const config = parseMindConfig({
      BATOS_MODEL: './m.gguf',
      BATOS_MODELS_DIR: '/srv/models',
      BATOS_GPU: 'false',
      BATOS_THREADS: '2',
      BATOS_CONTEXT_SIZE: '2048',
      BATOS_MEMORY_BUDGET_MB: '512',
      BATOS_GENERATION_TIMEOUT_MS: '5000',
      BATOS_MAX_METHOD_TOKENS: '300',
      BATOS_MAX_REPLY_TOKENS: '200',
    });
    expect(config).toEqual({
      model: './m.gguf',
      modelsDir: '/srv/models',
      gpu: false,
      threads: 2,
      contextSize: 2048,
      memoryBudgetBytes: 512 * 2 ** 20,
      generationTimeoutMs: 5000,
      maxMethodTokens: 300,
      maxReplyTokens: 200,
    });
    expect(parseMindConfig({ BATOS_GPU: 'CUDA' }).gpu).toBe('cuda');
  });

  it.each([
    ['BATOS_GPU', 'opencl'],
    ['BATOS_THREADS', '0'],
    ['BATOS_THREADS', 'two'],
    ['BATOS_CONTEXT_SIZE', '12.5'],
    ['BATOS_MEMORY_BUDGET_MB', '-1'],
    ['BATOS_GENERATION_TIMEOUT_MS', '1e3'],
    ['BATOS_MAX_METHOD_TOKENS', '999999'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    let error: unknown;
    try {
      parseMindConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MindError);
    expect((error as MindError).code).toBe('config');
    expect((error as MindError).message).toContain(name);
  });
});
