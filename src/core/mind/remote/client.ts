/**
 * One inference server over HTTP: what it serves (`GET /v1/models`, `GET /lora-adapters`)
 * and a streamed chat completion (`POST /v1/chat/completions`, server-sent events).
 *
 * Failures are {@link MindError}s that say whether the server may be tried again later:
 * 'unreachable' (no answer, an HTTP 5xx, or too slow to start answering: nothing was said
 * yet), 'interrupted' (it broke off mid-reply), 'bad-response' (not llama-server's protocol),
 * 'generation-failed' (the server refused this request, e.g. the prompt does not fit).
 */
import { MindError } from '../errors.ts';
import { sseData } from './sse.ts';

/** What a server reports serving. */
export interface ServerInfo {
  /** The model's id, as `/v1/models` reports it. */
  readonly model: string;
  /** Adapter file name (the last part of its path) → the server's adapter id. */
  readonly adapters: ReadonlyMap<string, number>;
}

/** One chat message of the OpenAI-compatible API. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** The parts of a chat completion request BAT OS sends. */
export interface CompletionRequest {
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
  /** Every adapter the server holds with its scale (0 for those not wanted). */
  readonly lora: ReadonlyArray<{ readonly id: number; readonly scale: number }>;
  /** A GBNF grammar the reply must match. */
  readonly grammar?: string;
}

/** A finished reply. */
export interface Completion {
  readonly text: string;
  /** `length` when the token limit cut the reply short. */
  readonly finishReason: 'stop' | 'length';
  /** Tokens generated, when the server reports them. */
  readonly tokens: number | undefined;
}

/** Failures of a kept-alive connection the server had closed, before the request was read. */
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);
/**
 * How many stale connections one request tries past: llama-server closes idle kept-alive
 * connections, several at once after a burst of conversations, and each new try may take
 * another of them from the pool (each fails at once, before the server reads anything).
 */
const STALE_TRIES = 32;

/** A fetch failure's reason in a few words (`ECONNREFUSED`, `other side closed`). */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export class ServerClient {
  /**
   * @param url The server's base URL, without a trailing slash.
   * @param timeoutMs How long the server may take to start answering a request.
   */
  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  /** Asks what the server serves. */
  async probe(signal?: AbortSignal): Promise<ServerInfo> {
    const models = await this.getJson('/v1/models', signal);
    const adapters = await this.getJson('/lora-adapters', signal);
    const model = (models as { data?: Array<{ id?: unknown }> } | null)?.data?.[0]?.id;
    if (typeof model !== 'string') throw this.badResponse('/v1/models names no model');
    if (!Array.isArray(adapters)) throw this.badResponse('/lora-adapters is not a list');
    const byName = new Map<string, number>();
    for (const entry of adapters as Array<{ id?: unknown; path?: unknown }>) {
      if (typeof entry?.id !== 'number' || typeof entry.path !== 'string')
        throw this.badResponse('an entry of /lora-adapters has no id or path');
      byName.set(entry.path.split(/[\\/]/).pop()!, entry.id);
    }
    return { model, adapters: byName };
  }

  /**
   * Streams one chat completion at temperature 0, calling `onText` with each new piece.
   * Aborting `signal` closes the request, which stops the server's generation.
   */
  async complete(
    request: CompletionRequest,
    { signal, onText }: { signal: AbortSignal; onText?: (piece: string) => void },
  ): Promise<Completion> {
    const response = await this.fetch(
      '/v1/chat/completions',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          temperature: 0,
          max_tokens: request.maxTokens,
          lora: request.lora,
          ...(request.grammar === undefined ? {} : { grammar: request.grammar }),
        }),
      },
      signal,
    );
    if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.body?.cancel();
      throw this.badResponse(
        `the reply is ${response.headers.get('content-type') ?? 'untyped'}, not an event stream`,
      );
    }
    let text = '';
    let finishReason: Completion['finishReason'] | undefined;
    let tokens: number | undefined;
    try {
      for await (const data of sseData(response.body!)) {
        if (data === '[DONE]') break;
        // Pieces already received are not passed on once the caller has given up.
        signal.throwIfAborted();
        const event = this.parseEvent(data);
        const choice = event.choices?.[0];
        const piece = choice?.delta?.content;
        if (typeof piece === 'string' && piece !== '') {
          text += piece;
          onText?.(piece);
        }
        if (choice?.finish_reason)
          finishReason = choice.finish_reason === 'length' ? 'length' : 'stop';
        tokens = event.usage?.completion_tokens ?? event.timings?.predicted_n ?? tokens;
      }
    } catch (error) {
      if (error instanceof MindError || signal.aborted) throw error;
      throw this.interrupted(reasonOf(error));
    }
    if (finishReason === undefined)
      throw this.interrupted('the reply ended before it was complete');
    return { text, finishReason, tokens };
  }

  private parseEvent(data: string): StreamEvent {
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      throw this.badResponse(`an event is not JSON: ${JSON.stringify(data.slice(0, 80))}`);
    }
    if (typeof event !== 'object' || event === null)
      throw this.badResponse('an event is not an object');
    const failure = (event as { error?: { message?: unknown } }).error;
    if (failure !== undefined)
      throw this.interrupted(
        typeof failure.message === 'string' ? failure.message : JSON.stringify(failure),
      );
    return event as StreamEvent;
  }

  private async getJson(path: string, signal: AbortSignal | undefined): Promise<unknown> {
    const response = await this.fetch(path, { method: 'GET' }, signal);
    const body = await response.text().catch((error: unknown) => {
      throw this.unreachable(reasonOf(error));
    });
    try {
      return JSON.parse(body);
    } catch {
      throw this.badResponse(`${path} is not JSON: ${JSON.stringify(body.slice(0, 80))}`);
    }
  }

  /**
   * A request whose answer has started (status and headers), or a MindError. A connection
   * the server closed while idle (an old keep-alive socket) is tried past, up to
   * {@link STALE_TRIES} of them, until one is open or new.
   */
  private async fetch(
    path: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
    staleTried = 0,
  ): Promise<Response> {
    // Only until the answer starts: a long reply may stream for longer.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        ...init,
        signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const reason = reasonOf(error);
      if (staleTried < STALE_TRIES && !deadline.signal.aborted && STALE_CONNECTION.has(reason))
        return this.fetch(path, init, signal, staleTried + 1);
      throw this.unreachable(
        deadline.signal.aborted
          ? `no answer within ${this.timeoutMs} ms (BATOS_MIND_TIMEOUT_MS)`
          : reason,
      );
    } finally {
      clearTimeout(timer);
    }
    if (response.ok) return response;
    const body = await response.text().catch(() => '');
    const message = serverMessage(body) ?? `HTTP ${response.status}`;
    if (response.status >= 500) throw this.unreachable(message);
    throw new MindError('generation-failed', `${this.url} refused the request: ${message}.`);
  }

  private unreachable(reason: string): MindError {
    return new MindError('unreachable', `${this.url}: ${reason}`);
  }

  private interrupted(reason: string): MindError {
    return new MindError(
      'interrupted',
      `The inference server ${this.url} failed while answering (${reason}); the reply was dropped.`,
    );
  }

  private badResponse(detail: string): MindError {
    return new MindError(
      'bad-response',
      `${this.url} does not answer like llama-server (${detail}); check that BATOS_MIND_URL names a llama-server.`,
    );
  }
}

/** The fields of a streamed chat completion event that BAT OS reads. */
interface StreamEvent {
  readonly choices?: ReadonlyArray<{
    readonly delta?: { readonly content?: unknown };
    readonly finish_reason?: string | null;
  }>;
  readonly usage?: { readonly completion_tokens?: number };
  readonly timings?: { readonly predicted_n?: number };
}

/** The `error.message` of a JSON error body, when it has one. */
function serverMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
