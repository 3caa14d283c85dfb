/**
 * What the rest of BAT OS asks of the mind, whoever runs the model: the in-process
 * {@link Mind} (node-llama-cpp in this process) or the `RemoteMind` (llama-server over HTTP).
 * The personas, the router and the method writer see only this.
 */
import type { ChatTurn } from './chat-format.ts';
import type { AdapterSpec } from './context-pool.ts';
import type { ModelMetadata } from './metadata.ts';

/** A system prompt and a user message, e.g. from `buildMethodPrompt`. */
export interface Prompt {
  readonly system: string;
  readonly user: string;
}

export interface GenerationOptions {
  readonly signal?: AbortSignal;
  /** Overrides the configured generation timeout. */
  readonly timeoutMs?: number;
}

/** A method the model wrote, with what method provenance records. */
export interface GeneratedMethod {
  /** The method's source: one function expression, as the grammar guarantees. */
  readonly source: string;
  /** The model that wrote it: {@link ModelMetadata.id}, or the model a server reports. */
  readonly model: string;
  /** SHA-256 (hex) of the system and user prompt. */
  readonly promptHash: string;
  /** Tokens generated. */
  readonly tokens: number;
}

export interface ChatRequest extends GenerationOptions {
  /**
   * The persona's LoRA adapter; none speaks with the base model. A remote mind names the
   * server's adapter by the file's name (its path's last part).
   */
  readonly adapter?: AdapterSpec;
  readonly systemPrompt: string;
  /**
   * The conversation thread this turn belongs to. The in-process mind keeps each thread's
   * prompt in a sequence of its own, so the thread's next turn evaluates only what is new;
   * absent, the turn takes any free sequence.
   */
  readonly thread?: string;
  readonly history: readonly ChatTurn[];
  readonly text: string;
  /** Called with the reply so far as it grows. */
  readonly onPartial?: (textSoFar: string) => void;
}

/** What serves the mind, as the pLLM object records it: a local file, or servers. */
export type MindSource =
  | { readonly kind: 'local'; readonly model: ModelMetadata }
  | {
      readonly kind: 'servers';
      /** The servers' base URLs (BATOS_MIND_URL). */
      readonly servers: readonly string[];
      /** The model the servers report serving. */
      readonly model: string;
      /** The adapter file names the servers hold. */
      readonly adapters: readonly string[];
    };

/** The mind as BAT OS uses it. Every failure is a `MindError` with a code. */
export interface MindService {
  /** What serves this mind, for the pLLM object. */
  readonly source: MindSource;
  /**
   * The adapter file names the servers hold, when adapters live on inference servers;
   * absent when the mind loads adapter files from the LoRA folder itself.
   */
  readonly servedAdapters?: ReadonlySet<string>;
  /** Writes a method under the method grammar, on the base model. */
  generateMethod(prompt: Prompt, options?: GenerationOptions): Promise<GeneratedMethod>;
  /** A persona's reply: its adapter, its system prompt, the conversation so far. */
  chat(request: ChatRequest): Promise<string>;
  /** Picks one of `options` with the base model under a grammar that allows nothing else. */
  choose<const T extends string>(
    options: readonly T[],
    prompt: string | Prompt,
    generation?: GenerationOptions,
  ): Promise<T>;
  /** Stops what is in flight and frees the model; later calls reject with 'closed'. */
  close(): Promise<void>;
}
