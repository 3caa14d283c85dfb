import { describe, expect, it } from 'vitest';
import { mindConfig } from '../../src/config/mind-config.ts';
import { readSettings, SettingsError } from '../../src/config/read.ts';
import { DEFAULT_MODEL } from '../../src/core/mind/index.ts';

describe('mindConfig', () => {
  it('gives defaults for an empty environment', () => {
    const config = mindConfig(readSettings({}), 6);
    expect(config).toMatchObject({
      model: DEFAULT_MODEL,
      modelsDir: 'models',
      gpu: 'auto',
      threads: 6,
      contextSize: 4096,
      sequences: 2,
      memoryBudgetBytes: 4096 * 2 ** 20,
      generationTimeoutMs: 120_000,
      maxMethodTokens: 512,
    });
    expect(DEFAULT_MODEL).toBe('hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M');
  });

  it('reads every variable', () => {
    const config = mindConfig(
      readSettings({
        BATOS_MODEL: './m.gguf',
        BATOS_MODELS_DIR: '/srv/models',
        BATOS_GPU: 'false',
        BATOS_THREADS: '2',
        BATOS_CONTEXT_SIZE: '2048',
        BATOS_SEQUENCES: '8',
        BATOS_MEMORY_BUDGET_MB: '512',
        BATOS_GENERATION_TIMEOUT_MS: '5000',
        BATOS_MAX_METHOD_TOKENS: '300',
        BATOS_MAX_REPLY_TOKENS: '200',
        BATOS_MIND_URL: 'http://10.0.0.5:8080/, https://gpu.example/llama ',
        BATOS_MIND_TIMEOUT_MS: '2500',
      }),
    );
    expect(config).toEqual({
      model: './m.gguf',
      modelsDir: '/srv/models',
      gpu: false,
      threads: 2,
      contextSize: 2048,
      sequences: 8,
      memoryBudgetBytes: 512 * 2 ** 20,
      generationTimeoutMs: 5000,
      maxMethodTokens: 300,
      maxReplyTokens: 200,
      servers: ['http://10.0.0.5:8080', 'https://gpu.example/llama'],
      serverTimeoutMs: 2500,
    });
    expect(mindConfig(readSettings({})).servers).toEqual([]);
    expect(mindConfig(readSettings({ BATOS_GPU: 'CUDA' })).gpu).toBe('cuda');
  });

  it.each([
    ['BATOS_GPU', 'opencl'],
    ['BATOS_THREADS', '0'],
    ['BATOS_THREADS', 'two'],
    ['BATOS_CONTEXT_SIZE', '12.5'],
    ['BATOS_SEQUENCES', '0'],
    ['BATOS_MEMORY_BUDGET_MB', '-1'],
    ['BATOS_GENERATION_TIMEOUT_MS', '1e3'],
    ['BATOS_MAX_METHOD_TOKENS', '999999'],
    ['BATOS_MIND_URL', 'localhost:8080'],
    ['BATOS_MIND_URL', 'ftp://host:21'],
    ['BATOS_MIND_URL', 'http://127.0.0.1:8080,nonsense'],
    ['BATOS_MIND_URL', 'http://host:8080/?model=x'],
    ['BATOS_MIND_TIMEOUT_MS', '0'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    let error: unknown;
    try {
      readSettings({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).problems).toHaveLength(1);
    expect((error as SettingsError).problems[0]).toMatch(
      new RegExp(`^${name}="${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" must be`),
    );
  });
});

it('refuses credentials in BATOS_MIND_URL without repeating them', () => {
  let error: unknown;
  try {
    readSettings({ BATOS_MIND_URL: 'http://admin:hunter2@gpu:8080' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SettingsError);
  expect((error as SettingsError).message).toContain('BATOS_MIND_URL');
  expect((error as SettingsError).message).not.toContain('hunter2');
});
