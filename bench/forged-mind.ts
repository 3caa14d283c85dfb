/** The forged tiny model and a mind configuration for it, shared by the model benches. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { MindConfig } from '../src/core/mind/index.ts';
import { forge, type ForgedFiles, type ForgeScript } from '../tools/forge/index.ts';

/** One llama.cpp thread: the benches compare paths, not machines. */
export const BENCH_THREADS = 1;

/** The forged model (scripted by `script`, if given) and a bench's configuration for it. */
export async function forgedBenchMind(
  overrides: Partial<MindConfig> = {},
  script?: ForgeScript,
): Promise<{ files: ForgedFiles; config: MindConfig }> {
  const files = await forge(
    script
      ? { outDir: join(tmpdir(), 'batos-forge-bench-scripted'), script }
      : { outDir: join(tmpdir(), 'batos-forge-bench') },
  );
  const config: MindConfig = {
    model: files.model,
    modelsDir: join(files.outDir, 'models'),
    gpu: false,
    threads: BENCH_THREADS,
    contextSize: 2048,
    memoryBudgetBytes: 256 * 2 ** 20,
    generationTimeoutMs: 30_000,
    maxMethodTokens: 256,
    maxReplyTokens: 256,
    ...overrides,
  };
  return { files, config };
}

/** Plain node-llama-cpp as the benches compare against: the CPU build, the benches' threads. */
export function plainLlama(): Promise<Llama> {
  return getLlama({
    gpu: false,
    build: 'never',
    maxThreads: BENCH_THREADS,
    logLevel: LlamaLogLevel.error,
  });
}

/** A plain node-llama-cpp context with one adapter: `sequences` of `contextSize` tokens each. */
export async function plainAdapterContext(
  modelPath: string,
  adapter: { readonly path: string; readonly scale: number },
  shape: { readonly contextSize: number; readonly sequences: number },
): Promise<{ model: LlamaModel; context: LlamaContext }> {
  const model = await (await plainLlama()).loadModel({ modelPath });
  const context = await model.createContext({
    ...shape,
    lora: { adapters: [{ filePath: adapter.path, scale: adapter.scale }] },
  });
  return { model, context };
}
