/**
 * The mind's configuration, as a plain object. The composition root reads the environment
 * and hands it to {@link parseMindConfig}; nothing in the mind reads `process.env`.
 */
import { availableParallelism } from 'node:os';
import { MindError } from './errors.ts';

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
  /** Tokens per context. */
  readonly contextSize: number;
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
  /** How long a server may take to start answering before it is skipped for a while. */
  readonly serverTimeoutMs?: number;
}

/** Llama 3.1 8B Instruct, 4-bit (Q4_K_M), from Hugging Face. */
export const DEFAULT_MODEL = 'hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M';

const GPU_VALUES = ['auto', 'false', 'cuda', 'vulkan', 'metal'] as const;

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  { min, max = Number.MAX_SAFE_INTEGER }: { min: number; max?: number },
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new MindError(
      'config',
      `${name} must be a whole number from ${min} to ${max}; got "${raw}".`,
    );
  }
  return value;
}

/**
 * Builds a {@link MindConfig} from environment-style strings, with defaults, validating
 * every value. Throws a {@link MindError} with code `config` naming the offending variable.
 *
 * Variables: BATOS_MODEL, BATOS_MODELS_DIR, BATOS_GPU (auto|false|cuda|vulkan|metal),
 * BATOS_THREADS (default: available cores), BATOS_CONTEXT_SIZE, BATOS_MEMORY_BUDGET_MB,
 * BATOS_GENERATION_TIMEOUT_MS, BATOS_MAX_METHOD_TOKENS, BATOS_MAX_REPLY_TOKENS,
 * BATOS_MIND_URL (comma-separated `http://host:port` of llama-servers; set, it replaces the
 * in-process model), BATOS_MIND_TIMEOUT_MS.
 */
export function parseMindConfig(
  env: Record<string, string | undefined>,
  { cores = availableParallelism() }: { cores?: number } = {},
): MindConfig {
  const gpu = (env.BATOS_GPU?.trim() || 'auto').toLowerCase();
  if (!(GPU_VALUES as readonly string[]).includes(gpu)) {
    throw new MindError(
      'config',
      `BATOS_GPU must be one of ${GPU_VALUES.join(', ')}; got "${env.BATOS_GPU}".`,
    );
  }
  const model = env.BATOS_MODEL?.trim() || DEFAULT_MODEL;
  const contextSize = integer(env, 'BATOS_CONTEXT_SIZE', 4096, { min: 256, max: 1_048_576 });
  return {
    model,
    modelsDir: env.BATOS_MODELS_DIR?.trim() || 'models',
    gpu: gpu === 'false' ? false : (gpu as Exclude<MindGpu, false>),
    threads: integer(env, 'BATOS_THREADS', Math.max(1, cores), { min: 1, max: 1024 }),
    contextSize,
    memoryBudgetBytes:
      integer(env, 'BATOS_MEMORY_BUDGET_MB', 4096, { min: 1, max: 16_777_216 }) * 1024 * 1024,
    generationTimeoutMs: integer(env, 'BATOS_GENERATION_TIMEOUT_MS', 120_000, { min: 1 }),
    maxMethodTokens: integer(env, 'BATOS_MAX_METHOD_TOKENS', 512, { min: 16, max: contextSize }),
    maxReplyTokens: integer(env, 'BATOS_MAX_REPLY_TOKENS', 512, { min: 1, max: contextSize }),
    servers: serverUrls(env.BATOS_MIND_URL),
    serverTimeoutMs: integer(env, 'BATOS_MIND_TIMEOUT_MS', 10_000, { min: 1 }),
  };
}

/** BATOS_MIND_URL as a list of base URLs without a trailing slash; empty when unset. */
function serverUrls(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new MindError(
        'config',
        `BATOS_MIND_URL holds "${entry}", which is not a URL; give http://host:port, comma-separated for several servers.`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new MindError(
        'config',
        `BATOS_MIND_URL holds "${entry}"; only http:// and https:// servers are supported.`,
      );
    if (url.username !== '' || url.password !== '')
      throw new MindError(
        'config',
        'BATOS_MIND_URL must not carry credentials (they would show in logs and in pLLM); give http://host:port.',
      );
    if (url.search !== '' || url.hash !== '')
      throw new MindError(
        'config',
        `BATOS_MIND_URL holds "${entry}"; give the server's base URL, without ? or #.`,
      );
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });
}
