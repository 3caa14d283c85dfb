/** The mind's settings, from the values read out of the table. */
import { availableParallelism } from 'node:os';
import type { MindConfig } from '../core/mind/index.ts';
import type { EmbedderConfig } from '../core/mind/embedder.ts';
import type { SettingValues } from './settings.ts';

/** Builds the {@link MindConfig}; `cores` is the default for BATOS_THREADS. */
export function mindConfig(values: SettingValues, cores = availableParallelism()): MindConfig {
  return {
    model: values.BATOS_MODEL,
    modelsDir: values.BATOS_MODELS_DIR,
    gpu: values.BATOS_GPU === 'false' ? false : values.BATOS_GPU,
    threads: values.BATOS_THREADS ?? Math.max(1, cores),
    contextSize: values.BATOS_CONTEXT_SIZE,
    sequences: values.BATOS_SEQUENCES,
    memoryBudgetBytes: values.BATOS_MEMORY_BUDGET_MB * 1024 * 1024,
    generationTimeoutMs: values.BATOS_GENERATION_TIMEOUT_MS,
    maxMethodTokens: values.BATOS_MAX_METHOD_TOKENS,
    maxReplyTokens: values.BATOS_MAX_REPLY_TOKENS,
    servers: values.BATOS_MIND_URL,
    serverTimeoutMs: values.BATOS_MIND_TIMEOUT_MS,
  };
}

/**
 * The embedding model's settings (BATOS_EMBEDDING_MODEL), on the mind's backend, threads and
 * models folder; undefined when none is set.
 */
export function embedderConfig(
  values: SettingValues,
  mind: MindConfig,
): EmbedderConfig | undefined {
  const model = values.BATOS_EMBEDDING_MODEL;
  if (model === undefined) return undefined;
  return { model, modelsDir: mind.modelsDir, gpu: mind.gpu, threads: mind.threads };
}
