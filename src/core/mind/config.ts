/**
 * The mind's configuration, as a plain object. The composition root builds it from the
 * settings table (src/config); nothing in the mind reads `process.env`.
 */

/** Which llama.cpp backend to use: `'auto'` picks a GPU when there is one, `false` forces CPU. */
export type MindGpu = 'auto' | false | 'cuda' | 'vulkan' | 'metal';

export interface MindConfig {
  /** A GGUF file path, or a model URI (`hf:user/repo:quant`, `https://…`) fetched into {@link modelsDir}. */
  readonly model: string;
  /** Where downloaded models (and their hash caches) live. */
  readonly modelsDir: string;
  readonly gpu: MindGpu;
  /** CPU threads llama.cpp may use (its own default overcommits small machines badly). */
  readonly threads: number;
  /** Tokens per context sequence (each conversation thread has its own). */
  readonly contextSize: number;
  /**
   * Sequences per context (default {@link DEFAULT_SEQUENCES}): how many conversation
   * threads with one persona keep their prompts in the KV cache and decode together.
   */
  readonly sequences?: number;
  /** Memory all pooled contexts may take together (the model's weights not included). */
  readonly memoryBudgetBytes: number;
  readonly generationTimeoutMs: number;
  /** Token limit for one generated method. */
  readonly maxMethodTokens: number;
  /** Token limit for one persona reply. */
  readonly maxReplyTokens: number;
  /**
   * Inference servers (`llama-server`) to use instead of loading {@link model} in-process;
   * absent or empty: the model runs in this process.
   */
  readonly servers?: readonly string[];
  /**
   * How long a server may take to start answering before it is skipped for a while (default
   * {@link DEFAULT_SERVER_TIMEOUT_MS}).
   */
  readonly serverTimeoutMs?: number;
}

/** Llama 3.1 8B Instruct, 4-bit (Q4_K_M), from Hugging Face. */
export const DEFAULT_MODEL = 'hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M';

/**
 * Sequences per context when {@link MindConfig.sequences} is not set. Each holds a KV cache
 * of `contextSize` tokens (Llama 3.1 8B at 4,096 tokens: 0.5 GB): two keep three such
 * contexts (the base model's and two personas') within the default 4 GB budget.
 */
export const DEFAULT_SEQUENCES = 2;

/** How long a server may take to start answering when {@link MindConfig.serverTimeoutMs} is not set. */
export const DEFAULT_SERVER_TIMEOUT_MS = 10_000;
