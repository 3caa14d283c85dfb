/**
 * The mind: one loaded model, a pool of contexts (one per adapter set, each with a sequence
 * per active conversation thread), and the three things BAT OS asks of it — write a method,
 * speak as a persona, choose among options. Concurrent requests run on separate sequences
 * and are decoded together.
 */
import { stat } from 'node:fs/promises';
import type { ChatWrapper, Llama, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import { promptTokens, resolveModelChatWrapper, toChatHistory } from './chat-format.ts';
import { choiceRequest, chosenOption } from './choice.ts';
import { DEFAULT_SEQUENCES, type MindConfig } from './config.ts';
import { ContextPool } from './context-pool.ts';
import type { AdapterSpec, PoolStats } from './context-pool.ts';
import type { SequenceDrivers } from './thread-sequences.ts';
import { withDeadline } from './deadline.ts';
import { MindError } from './errors.ts';
import { validateAdapterFile, validateModelFile } from './gguf/validate.ts';
import { sharedLlama } from './llama.ts';
import { describeModel } from './metadata.ts';
import type { ModelMetadata } from './metadata.ts';
import { METHOD_GBNF } from './method-grammar.ts';
import { resolveModelPath } from './model-source.ts';
import { promptHash } from './prompt-hash.ts';
import type { DownloadProgress } from './model-source.ts';
import type {
  ChatRequest,
  GeneratedMethod,
  GenerationOptions,
  MindService,
  MindSource,
  Prompt,
} from './service.ts';

/** Progress while loading: downloading the model (first start only), then loading it. */
export type LoadProgress =
  | ({ readonly stage: 'download' } & DownloadProgress)
  | { readonly stage: 'load'; readonly fraction: number };

export interface LoadOptions {
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Download a missing remote model (default true); false fails fast with 'no-model'. */
  readonly download?: boolean;
  readonly signal?: AbortSignal;
}

/** The model loaded in this process, through node-llama-cpp. */
export class Mind implements MindService {
  private readonly choiceGrammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly validAdapters = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly config: MindConfig,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly pool: ContextPool,
    private readonly chatWrapper: ChatWrapper,
    private readonly methodGrammar: LlamaGrammar,
    /** What the pLLM object records: file, size, sha256, architecture, quantisation, name. */
    readonly metadata: ModelMetadata,
  ) {}

  /** The loaded model file, for the pLLM object. */
  get source(): MindSource {
    return { kind: 'local', model: this.metadata };
  }

  /**
   * Resolves (downloading on first start if allowed), validates and loads the model.
   * Rejects with a {@link MindError}: 'no-model' (with how to get one), 'invalid-model',
   * 'memory-budget' or 'load-failed'. A bad file never reaches llama.cpp.
   */
  static async load(config: MindConfig, options: LoadOptions = {}): Promise<Mind> {
    const { onProgress } = options;
    const path = await resolveModelPath(config.model, config.modelsDir, {
      download: options.download ?? true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onProgress
        ? { onProgress: (p: DownloadProgress) => onProgress({ stage: 'download', ...p }) }
        : {}),
    });
    const info = await validateModelFile(path);
    const llama = await sharedLlama(config.gpu, config.threads);
    let model: LlamaModel | undefined;
    try {
      const [loaded, metadata] = await Promise.all([
        llama.loadModel({
          modelPath: path,
          ...(onProgress
            ? { onLoadProgress: (fraction: number) => onProgress({ stage: 'load', fraction }) }
            : {}),
        }),
        describeModel(path, info, config.modelsDir),
      ]);
      model = loaded;
      const sequences = config.sequences ?? DEFAULT_SEQUENCES;
      const estimate = await model.fileInsights.estimateContextResourceRequirementsV2({
        contextSize: config.contextSize,
        modelGpuLayers: model.gpuLayers,
        sequences,
      });
      const chatWrapper = resolveModelChatWrapper(model);
      const pool = new ContextPool(model, {
        contextSize: config.contextSize,
        sequences,
        budgetBytes: config.memoryBudgetBytes,
        bytesPerContext: estimate.cpuRam + estimate.gpuVram,
        chatWrapper,
      });
      const methodGrammar = await llama.createGrammar({ grammar: METHOD_GBNF });
      return new Mind(config, llama, model, pool, chatWrapper, methodGrammar, metadata);
    } catch (error) {
      await model?.dispose();
      if (error instanceof MindError) throw error;
      throw new MindError(
        'load-failed',
        `llama.cpp could not load ${path} (${(error as Error).message}).`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Writes a method under the method grammar, on the base model. Rejects with 'timeout',
   * 'aborted' or 'incomplete' (the token limit came first).
   */
  async generateMethod(prompt: Prompt, options: GenerationOptions = {}): Promise<GeneratedMethod> {
    const { text, tokens, stopReason } = await this.generate(
      undefined,
      'Writing a method',
      options,
      (drivers, signal) =>
        this.complete(drivers, prompt, this.methodGrammar, this.config.maxMethodTokens, signal),
    );
    if (stopReason === 'maxTokens')
      throw new MindError(
        'incomplete',
        `The method was still unfinished after ${this.config.maxMethodTokens} tokens (BATOS_MAX_METHOD_TOKENS).`,
      );
    return {
      source: text.trim(),
      model: this.metadata.id,
      promptHash: promptHash(prompt),
      tokens,
    };
  }

  /** A persona's reply: the adapter's context, its system prompt, the conversation so far. */
  async chat(request: ChatRequest): Promise<string> {
    if (request.adapter) await this.checkAdapter(request.adapter.path);
    const { onPartial } = request;
    let soFar = '';
    const reply = await this.generate(
      request.adapter,
      'A reply',
      request,
      async ({ chat }, signal) => {
        const result = await chat.generateResponse(
          toChatHistory(request.systemPrompt, request.history, request.text),
          {
            maxTokens: this.config.maxReplyTokens,
            temperature: 0,
            signal,
            ...(onPartial ? { onTextChunk: (chunk: string) => onPartial((soFar += chunk)) } : {}),
          },
        );
        return result.response;
      },
    );
    return reply.trim();
  }

  /**
   * Picks one of `options` with the base model under a grammar that allows nothing else
   * (the persona router). `prompt` is the user message, or a system prompt and a message.
   */
  async choose<const T extends string>(
    options: readonly T[],
    prompt: string | Prompt,
    generation: GenerationOptions = {},
  ): Promise<T> {
    const choice = choiceRequest(options, prompt);
    const grammar = await this.choiceGrammar(choice.grammar);
    const answer = await this.generate(undefined, 'Choosing', generation, (drivers, signal) =>
      this.complete(drivers, choice, grammar, choice.maxTokens, signal),
    );
    return chosenOption(options, answer.text);
  }

  /**
   * The context pool's state: live contexts and the threads their sequences hold (least
   * recently used first), budget, evictions, tokens evaluated.
   */
  stats(): PoolStats {
    return this.pool.stats();
  }

  /**
   * Disposes the contexts and the model (the llama.cpp backend stays for the process, see
   * `llama.ts`). Later calls reject with 'closed'.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
    await this.model.dispose();
  }

  private generate<T>(
    adapter: AdapterSpec | undefined,
    what: string,
    options: GenerationOptions & { readonly thread?: string },
    fn: (drivers: SequenceDrivers, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new MindError('closed', 'The mind is closed.'));
    const timeoutMs = options.timeoutMs ?? this.config.generationTimeoutMs;
    return withDeadline(what, { signal: options.signal, timeoutMs }, (signal) =>
      this.pool.use(adapter, options.thread, signal, async (drivers) => {
        signal.throwIfAborted();
        try {
          return await fn(drivers, signal);
        } catch (error) {
          if (error instanceof MindError || signal.aborted) throw error;
          throw new MindError(
            'generation-failed',
            `${what} failed: ${(error as Error).message} (the context holds BATOS_CONTEXT_SIZE=${this.config.contextSize} tokens).`,
            { cause: error },
          );
        }
      }),
    );
  }

  /**
   * A short system-and-user prompt under a grammar, as a plain completion of the rendered
   * template: the same answer a chat gives, without the chat layer's per-token work.
   */
  private async complete(
    { chat, completion }: SequenceDrivers,
    prompt: Prompt,
    grammar: LlamaGrammar,
    maxTokens: number,
    signal: AbortSignal,
  ): Promise<{ text: string; tokens: number; stopReason: string }> {
    // The sequence's meter counts generated tokens without a per-token callback.
    const meter = chat.sequence.tokenMeter;
    const before = meter.getState();
    const tokens = promptTokens(this.model, this.chatWrapper, prompt.system, prompt.user);
    // A completion would silently drop the prompt's beginning to make it fit.
    if (tokens.length >= chat.sequence.contextSize)
      throw new MindError(
        'generation-failed',
        `The prompt is ${tokens.length} tokens, more than a context sequence holds (BATOS_CONTEXT_SIZE=${this.config.contextSize}); raise BATOS_CONTEXT_SIZE.`,
      );
    const result = await completion.generateCompletionWithMeta(tokens, {
      grammar,
      maxTokens,
      temperature: 0,
      signal,
    });
    return {
      text: result.response,
      tokens: meter.diff(before).usedOutputTokens,
      stopReason: result.metadata.stopReason,
    };
  }

  /** Validates an adapter once per file version, before llama.cpp may see it. */
  private async checkAdapter(path: string): Promise<void> {
    const version = await stat(path).then(
      (s) => `${path}:${s.size}:${s.mtimeMs}`,
      () => path,
    );
    let check = this.validAdapters.get(version);
    if (!check) {
      check = validateAdapterFile(path, this.metadata.architecture);
      this.validAdapters.set(version, check);
      check.catch(() => this.validAdapters.delete(version));
    }
    await check;
  }

  /** The compiled grammar for a choice's GBNF, compiled once per set of options. */
  private choiceGrammar(gbnf: string): Promise<LlamaGrammar> {
    let grammar = this.choiceGrammars.get(gbnf);
    if (!grammar) {
      grammar = this.llama.createGrammar({ grammar: gbnf });
      this.choiceGrammars.set(gbnf, grammar);
    }
    return grammar;
  }
}
