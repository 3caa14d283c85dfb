/**
 * The embedder: a GGUF embedding model (BATOS_EMBEDDING_MODEL) loaded in this process through
 * node-llama-cpp, with an embedding context of its own, turning a text into a unit vector so
 * that texts about one thing lie close by cosine. It ranks recall beside the image's
 * full-text search; it never writes and never speaks. Calls take turns on the one context,
 * so that closing waits for the one in flight.
 */
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { MindGpu } from './config.ts';
import { MindError } from './errors.ts';
import { checkEmbeddingModel } from './embedding-model.ts';
import { sharedLlama } from './llama.ts';
import { describeModel } from './metadata.ts';

/** Tokens one embedding reads: a memory is at most 500 characters; a longer message is cut. */
export const EMBEDDING_CONTEXT = 512;

export interface EmbedderConfig {
  /** The GGUF embedding model's path. */
  readonly model: string;
  /** Where the models' hash caches live (BATOS_MODELS_DIR). */
  readonly modelsDir: string;
  readonly gpu: MindGpu;
  /** CPU threads the embedding context uses, set as the mind's are (BATOS_THREADS). */
  readonly threads: number;
}

export class Embedder {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaEmbeddingContext,
    private readonly contextSize: number,
    /** `<file name>@<sha256 prefix>`: which model made a stored vector. */
    readonly id: string,
  ) {}

  /**
   * Validates and loads the model, never downloading. Rejects with a {@link MindError}:
   * 'no-model', 'invalid-model' or 'load-failed', each naming the file and what to do.
   */
  static async load(config: EmbedderConfig): Promise<Embedder> {
    const { path, info } = await checkEmbeddingModel(config.model);
    const llama = await sharedLlama(config.gpu, config.threads);
    let model: LlamaModel | undefined;
    try {
      const [loaded, metadata] = await Promise.all([
        llama.loadModel({ modelPath: path }),
        describeModel(path, info, config.modelsDir),
      ]);
      model = loaded;
      const contextSize = Math.min(EMBEDDING_CONTEXT, model.trainContextSize);
      const context = await model.createEmbeddingContext({
        contextSize,
        threads: config.threads,
      });
      return new Embedder(model, context, contextSize, metadata.id);
    } catch (error) {
      await model?.dispose();
      throw new MindError(
        'load-failed',
        `llama.cpp could not load ${path} as an embedding model (${(error as Error).message}); set BATOS_EMBEDDING_MODEL to a GGUF embedding model, or unset it to recall by full-text search alone.`,
        { cause: error },
      );
    }
  }

  /**
   * `text`'s embedding as a unit vector; a text longer than the context is cut to its start.
   * Rejects with a {@link MindError}: 'closed', or 'generation-failed' naming llama.cpp's reason.
   */
  embed(text: string): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new MindError('closed', 'The embedder is closed.'));
    const run = this.queue.then(async () => {
      try {
        // Room for the beginning and end tokens node-llama-cpp adds.
        const tokens = this.model.tokenize(text).slice(0, this.contextSize - 2);
        const { vector } = await this.context.getEmbeddingFor(tokens);
        return unit(vector);
      } catch (error) {
        throw new MindError(
          'generation-failed',
          `Embedding failed: ${(error as Error).message} (BATOS_EMBEDDING_MODEL=${this.id}).`,
          { cause: error },
        );
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Disposes the context and the model once the embedding in flight is done. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.context.dispose();
    await this.model.dispose();
  }
}

/** `vector` scaled to length 1 (all zeros stays zeros), so cosine is a dot product. */
function unit(vector: readonly number[]): Float32Array {
  const length = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return Float32Array.from(vector, (x) => (length === 0 ? 0 : x / length));
}
