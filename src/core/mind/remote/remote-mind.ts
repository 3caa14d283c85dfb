/**
 * The mind on inference servers (llama.cpp's `llama-server`, BATOS_MIND_URL): the same
 * three things the in-process {@link Mind} does, as streamed chat completions.
 *
 * Each request names every adapter the server holds with a scale — the persona's at its
 * scale, all others 0 — because llama-server keeps the adapters of an earlier request when
 * a request leaves `lora` out. The chat template is applied by the server
 * (`/v1/chat/completions`), from the model file it serves: the bot needs no copy of the
 * model, and the same requests work against any OpenAI-compatible server (see
 * docs/inference.md).
 */
import { basename } from 'node:path';
import type { ChatTurn } from '../chat-format.ts';
import { choiceRequest, chosenOption } from '../choice.ts';
import { DEFAULT_SERVER_TIMEOUT_MS, type MindConfig } from '../config.ts';
import { withDeadline } from '../deadline.ts';
import { MindError } from '../errors.ts';
import { METHOD_GBNF } from '../method-grammar.ts';
import { promptHash } from '../prompt-hash.ts';
import type {
  ChatRequest,
  GeneratedMethod,
  GenerationOptions,
  MindService,
  MindSource,
  Prompt,
} from '../service.ts';
import {
  ServerClient,
  type ChatMessage,
  type Completion,
  type CompletionRequest,
} from './client.ts';
import { ServerPool, type Backoff, type ChosenServer } from './servers.ts';

export interface ConnectOptions {
  /** Adapter file names the personas expect (the codex's); each one missing is a warning. */
  readonly expectAdapters?: readonly string[];
  readonly backoff?: Backoff;
  /** The clock the backoff is measured with. */
  readonly now?: () => number;
}

/** The system prompt, earlier turns and new message as chat messages. */
function toMessages(system: string, history: readonly ChatTurn[], text: string): ChatMessage[] {
  return [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    ...history.map((turn) => ({ role: turn.role, content: turn.text })),
    { role: 'user', content: text },
  ];
}

/** Every adapter of the server at scale 0, except `adapter` at its scale. */
function loraScales(
  server: ChosenServer,
  adapter: { readonly name: string; readonly scale: number } | undefined,
): CompletionRequest['lora'] {
  return [...server.info.adapters].map(([name, id]) => ({
    id,
    scale: name === adapter?.name ? adapter.scale : 0,
  }));
}

export class RemoteMind implements MindService {
  private readonly stopping = new AbortController();

  private constructor(
    private readonly config: MindConfig,
    private readonly urls: readonly string[],
    private readonly pool: ServerPool,
    private readonly model: string,
  ) {}

  /**
   * Asks each server of `config.servers` what it serves. Servers that do not answer are
   * tried again later; the warnings name them, and each expected adapter no server holds
   * (its persona speaks in voice only), and servers that name different models. Rejects
   * with 'unreachable' when no server answers.
   */
  static async connect(
    config: MindConfig,
    options: ConnectOptions = {},
  ): Promise<{ mind: RemoteMind; warnings: string[] }> {
    const urls = config.servers ?? [];
    if (urls.length === 0) throw new MindError('config', 'BATOS_MIND_URL names no server.');
    const timeoutMs = config.serverTimeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS;
    const pool = new ServerPool(
      urls.map((url) => new ServerClient(url, timeoutMs)),
      options,
    );
    const failures = await pool.probeAll();
    const known = pool.known();
    if (known.length === 0)
      throw new MindError(
        'unreachable',
        `No inference server answered (${failures.join('; ')}). Start one with \`npm run llama-server\`, or check BATOS_MIND_URL.`,
      );
    const mind = new RemoteMind(config, urls, pool, known[0]!.info.model);
    const held = mind.servedAdapters;
    const models = new Set(known.map((server) => server.info.model));
    const warnings = [
      ...(models.size > 1
        ? [
            `the inference servers name different models (${known.map((s) => `${s.client.url}: ${s.info.model}`).join(', ')}); replies may differ from server to server`,
          ]
        : []),
      ...failures.map((failure) => `inference server not answering, tried again later: ${failure}`),
      ...(options.expectAdapters ?? [])
        .filter((name) => !held.has(name))
        .map(
          (name) =>
            `no inference server holds the adapter ${name}: its persona speaks in voice only`,
        ),
    ];
    return { mind, warnings };
  }

  /** The adapter file names the servers that have answered hold. */
  get servedAdapters(): ReadonlySet<string> {
    return new Set(this.pool.known().flatMap((server) => [...server.info.adapters.keys()]));
  }

  /** The servers, the model they serve and their adapters, for the pLLM object. */
  get source(): MindSource {
    return {
      kind: 'servers',
      servers: this.urls,
      model: this.model,
      adapters: [...this.servedAdapters].sort(),
    };
  }

  async generateMethod(prompt: Prompt, options: GenerationOptions = {}): Promise<GeneratedMethod> {
    const completion = await this.complete('Writing a method', undefined, options, (server) => ({
      messages: toMessages(prompt.system, [], prompt.user),
      maxTokens: this.config.maxMethodTokens,
      lora: loraScales(server, undefined),
      grammar: METHOD_GBNF,
    }));
    if (completion.finishReason === 'length')
      throw new MindError(
        'incomplete',
        `The method was still unfinished after ${this.config.maxMethodTokens} tokens (BATOS_MAX_METHOD_TOKENS).`,
      );
    return {
      source: completion.text.trim(),
      model: this.model,
      promptHash: promptHash(prompt),
      tokens: completion.tokens ?? 0,
    };
  }

  /**
   * `request.thread` is not sent: llama-server already gives a request the idle slot whose
   * cached prompt shares the most with it (`cache_prompt`, `--slot-prompt-similarity`), which
   * is the thread's own slot while it holds one; pinning `id_slot` by thread would make two
   * threads that map to one slot wait for each other while other slots sit idle.
   */
  async chat(request: ChatRequest): Promise<string> {
    const adapter = request.adapter && {
      name: basename(request.adapter.path),
      scale: request.adapter.scale,
    };
    const { onPartial } = request;
    let soFar = '';
    const completion = await this.complete(
      'A reply',
      adapter?.name,
      request,
      (server) => ({
        messages: toMessages(request.systemPrompt, request.history, request.text),
        maxTokens: this.config.maxReplyTokens,
        lora: loraScales(server, adapter),
      }),
      onPartial && ((piece) => onPartial((soFar += piece))),
    );
    return completion.text.trim();
  }

  async choose<const T extends string>(
    options: readonly T[],
    prompt: string | Prompt,
    generation: GenerationOptions = {},
  ): Promise<T> {
    const choice = choiceRequest(options, prompt);
    const completion = await this.complete('Choosing', undefined, generation, (server) => ({
      messages: toMessages(choice.system, [], choice.user),
      maxTokens: choice.maxTokens,
      lora: loraScales(server, undefined),
      grammar: choice.grammar,
    }));
    return chosenOption(options, completion.text);
  }

  /** Stops every request in flight; later calls reject with 'closed'. */
  async close(): Promise<void> {
    this.stopping.abort(new MindError('closed', 'The mind is closed.'));
  }

  /** One completion on a server holding `adapter`, within the generation deadline. */
  private complete(
    what: string,
    adapter: string | undefined,
    options: GenerationOptions,
    request: (server: ChosenServer) => CompletionRequest,
    onText?: (piece: string) => void,
  ): Promise<Completion> {
    if (this.stopping.signal.aborted)
      return Promise.reject(new MindError('closed', 'The mind is closed.'));
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.stopping.signal])
      : this.stopping.signal;
    const timeoutMs = options.timeoutMs ?? this.config.generationTimeoutMs;
    return withDeadline(what, { signal, timeoutMs }, (combined) =>
      this.pool.run(adapter, combined, (server) =>
        server.client.complete(request(server), {
          signal: combined,
          ...(onText ? { onText } : {}),
        }),
      ),
    );
  }
}
