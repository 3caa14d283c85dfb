/**
 * One llama.cpp context per adapter set in use. node-llama-cpp fixes a context's LoRA
 * adapters when it is created, so each persona gets its own context, kept (with its KV
 * cache) across turns; when the contexts together exceed the memory budget, the least
 * recently used idle ones are disposed.
 */
import { LlamaChat } from 'node-llama-cpp';
import type { ChatWrapper, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { MindError } from './errors.ts';
import { Lock } from './lock.ts';

/** A LoRA adapter and the scale to apply it at. */
export interface AdapterSpec {
  readonly path: string;
  readonly scale: number;
}

/** A pooled context: its one sequence is driven through a {@link LlamaChat}. */
export interface PooledContext {
  readonly context: LlamaContext;
  readonly chat: LlamaChat;
}

interface Entry {
  readonly key: string;
  readonly lock: Lock;
  readonly ready: Promise<PooledContext>;
}

/** What the pool holds, for diagnostics and tests. */
export interface PoolStats {
  /** Keys of the live contexts, least recently used first (`base` is the plain model). */
  readonly contexts: readonly string[];
  readonly bytesPerContext: number;
  readonly budgetBytes: number;
  readonly evictions: number;
}

const BASE_KEY = 'base';

/** The pool key of an adapter set: `base`, or the adapter's path and scale. */
function poolKey(adapter: AdapterSpec | undefined): string {
  return adapter ? `${adapter.path}@${adapter.scale}` : BASE_KEY;
}

export class ContextPool {
  /** In least-recently-used order: a Map iterates in insertion order, and use re-inserts. */
  private readonly entries = new Map<string, Entry>();
  private evictions = 0;

  constructor(
    private readonly model: LlamaModel,
    private readonly options: {
      readonly contextSize: number;
      readonly budgetBytes: number;
      /** Estimated memory of one context (KV cache and compute buffers). */
      readonly bytesPerContext: number;
      /** The model's chat wrapper, resolved once: resolving it per context costs ~0.5 s. */
      readonly chatWrapper: ChatWrapper;
    },
  ) {
    if (options.bytesPerContext > options.budgetBytes) {
      const mb = (n: number): string => `${Math.ceil(n / 2 ** 20)} MB`;
      throw new MindError(
        'memory-budget',
        `One context of ${options.contextSize} tokens needs about ${mb(options.bytesPerContext)}, more than the memory budget of ${mb(options.budgetBytes)}; raise BATOS_MEMORY_BUDGET_MB or lower BATOS_CONTEXT_SIZE.`,
      );
    }
  }

  /** Runs `fn` with exclusive use of the context for `adapter`, creating it if needed. */
  async use<T>(
    adapter: AdapterSpec | undefined,
    fn: (pooled: PooledContext) => Promise<T>,
  ): Promise<T> {
    const key = poolKey(adapter);
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = { key, lock: new Lock(), ready: this.create(adapter) };
      entry.ready.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    }
    this.entries.set(key, entry);
    const current = entry;
    return current.lock.run(async () => {
      const pooled = await current.ready;
      this.evictOverBudget();
      return fn(pooled);
    });
  }

  stats(): PoolStats {
    return {
      contexts: [...this.entries.keys()],
      bytesPerContext: this.options.bytesPerContext,
      budgetBytes: this.options.budgetBytes,
      evictions: this.evictions,
    };
  }

  /** Disposes every context. */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      entries.map((entry) =>
        entry.lock.run(() =>
          entry.ready.then(
            (p) => p.context.dispose(),
            () => undefined,
          ),
        ),
      ),
    );
  }

  private async create(adapter: AdapterSpec | undefined): Promise<PooledContext> {
    try {
      const context = await this.model.createContext({
        contextSize: this.options.contextSize,
        sequences: 1,
        ...(adapter
          ? { lora: { adapters: [{ filePath: adapter.path, scale: adapter.scale }] } }
          : {}),
      });
      const chat = new LlamaChat({
        contextSequence: context.getSequence(),
        chatWrapper: this.options.chatWrapper,
        autoDisposeSequence: false,
      });
      return { context, chat };
    } catch (error) {
      throw new MindError(
        'load-failed',
        `Could not create a context${adapter ? ` with adapter ${adapter.path}` : ''}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Disposes least recently used idle contexts until the rest fit the budget. */
  private evictOverBudget(): void {
    for (const entry of this.entries.values()) {
      if (this.entries.size * this.options.bytesPerContext <= this.options.budgetBytes) return;
      if (entry.lock.busy) continue;
      this.entries.delete(entry.key);
      this.evictions++;
      void entry.ready.then(
        (pooled) => pooled.context.dispose(),
        () => undefined,
      );
    }
  }
}
