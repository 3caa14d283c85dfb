/**
 * The mind: BAT OS's language model, through node-llama-cpp.
 *
 * Seams: configuration ({@link MindConfig}), where the model file comes from
 * (`model-source`), GGUF checks before llama.cpp sees a file (`gguf/`), model metadata for
 * the pLLM object, the context pool (one context per adapter set, LRU within a memory
 * budget, each context's sequences lent to conversation threads), chat formatting and prompts (`prompts/`), and generation ({@link Mind}); or,
 * with BATOS_MIND_URL, llama-servers over HTTP ({@link RemoteMind}, `remote/`). Both are a
 * {@link MindService}, which is all the rest of BAT OS sees.
 */
export { Mind } from './mind.ts';
export type { LoadOptions, LoadProgress } from './mind.ts';
export type {
  ChatRequest,
  GeneratedMethod,
  GenerationOptions,
  MindService,
  MindSource,
  Prompt,
} from './service.ts';
export { RemoteMind } from './remote/remote-mind.ts';
export { MindError } from './errors.ts';
export type { MindErrorCode } from './errors.ts';
export { DEFAULT_MODEL, DEFAULT_SEQUENCES, DEFAULT_SERVER_TIMEOUT_MS } from './config.ts';
export type { MindConfig, MindGpu } from './config.ts';
export type { ChatTurn } from './chat-format.ts';
export type { AdapterSpec, PoolStats } from './context-pool.ts';
export type { ModelMetadata } from './metadata.ts';
export { FORGED_MODEL_NAME, FORGED_MODEL_NOTE, isForgedModel } from './forged-model.ts';
export { howToGetAModel, isModelUri, pullModel, resolveModelPath } from './model-source.ts';
export type { DownloadProgress } from './model-source.ts';
export { validateAdapterFile, validateModelFile } from './gguf/validate.ts';
export { buildMethodPrompt } from './prompts/covenant.ts';
export { splitExamples } from './method-grammar.ts';
export type { MethodRequest } from './prompts/covenant.ts';
