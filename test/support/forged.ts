/** The forged tiny model for mind tests, and a mind configuration that uses it. */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forge } from '../../tools/forge/index.ts';
import type { ForgedFiles } from '../../tools/forge/index.ts';
import type { ForgeScript } from '../../tools/forge/script.ts';
import type { MindConfig } from '../../src/core/mind/index.ts';

const FORGE_DIR = join(tmpdir(), 'batos-forge-tests');

/** Forged once per directory and process; every test file shares one folder. */
export function forged(): Promise<ForgedFiles> {
  return forge({ outDir: FORGE_DIR });
}

/**
 * The forged model scripted by `script` (`tools/forge/script.ts`), in a folder of its own
 * per script, so test files with different scripts never write over each other's model.
 */
export function scriptedForged(script: ForgeScript): Promise<ForgedFiles> {
  const digest = createHash('sha256').update(JSON.stringify(script)).digest('hex');
  return forge({ outDir: join(FORGE_DIR, 'scripted', digest.slice(0, 16)), script });
}

/** One thread (two test workers share two cores), a small context, CPU only. */
export function tinyConfig(model: string, overrides: Partial<MindConfig> = {}): MindConfig {
  return {
    model,
    // Holds the sha256 sidecar, so later test files reuse the digest.
    modelsDir: join(FORGE_DIR, 'models'),
    gpu: false,
    threads: 1,
    contextSize: 4096,
    memoryBudgetBytes: 256 * 2 ** 20,
    generationTimeoutMs: 30_000,
    maxMethodTokens: 256,
    maxReplyTokens: 128,
    ...overrides,
  };
}
