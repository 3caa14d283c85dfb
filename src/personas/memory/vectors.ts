/**
 * Recall's embeddings (BATOS_EMBEDDING_MODEL): a memory's vector is made from its text before
 * the keeping commits and stored right after it, beside the memory, as derived data (not a
 * change in history, like the full-text index). A memory that has none — kept before the
 * setting was on, brought back by an undo, or made with another model — gets it when its
 * owner's recall next runs, a few a turn. The embedding model failing never fails a turn:
 * recall then ranks by full-text search alone.
 */
import { ImageError } from '../../core/errors.ts';
import type { NearMemory } from '../../core/image/index.ts';
import type { Principal } from '../../core/model/principal.ts';
import type { Oid } from '../../core/model/value.ts';
import { MindError } from '../../core/mind/errors.ts';
import type { Embedder } from '../../core/mind/embedder.ts';
import type { Uvm } from '../../core/uvm/uvm.ts';

/** What recall asks of the embedding model: which model it is, and a text's unit vector. */
export type MemoryEmbedder = Pick<Embedder, 'id' | 'embed'>;

/** Memories without a vector embedded per recall: enough to catch up after an undo. */
export const FILL_PER_RECALL = 8;

export class MemoryVectors {
  /**
   * @param minSimilarity the cosine similarity (0 to 1) below which a memory is not near
   *   enough to be recalled (BATOS_RECALL_MIN_SIMILARITY, in hundredths).
   */
  constructor(
    private readonly uvm: Uvm,
    private readonly embedder: MemoryEmbedder,
    private readonly minSimilarity: number,
  ) {}

  /** `text`'s vector; undefined when the model failed (a later recall fills it in). */
  async embed(text: string): Promise<Float32Array | undefined> {
    try {
      return await this.embedder.embed(text);
    } catch (error) {
      if (error instanceof MindError) return undefined;
      throw error;
    }
  }

  /**
   * Keeps `vector` as the embedding of `person`'s memory `oid`. The memory is already kept: a
   * failure here leaves it without a vector, which a later recall fills in.
   */
  async store(person: Principal, oid: Oid, vector: Float32Array): Promise<void> {
    try {
      await this.uvm.storeMemoryVector(person, oid, this.embedder.id, vector);
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
    }
  }

  /**
   * Up to `limit` of `person`'s memories nearest `text` and at least as alike as the floor,
   * most similar first, after embedding a few of theirs that have no vector yet; none when
   * the model fails.
   */
  async nearest(person: Principal, text: string, limit: number): Promise<NearMemory[]> {
    const model = this.embedder.id;
    for (const memory of await this.uvm.memoriesWithoutVector(person, model, FILL_PER_RECALL)) {
      const vector = await this.embed(memory.text);
      if (vector === undefined) return [];
      await this.store(person, memory.oid, vector);
    }
    const vector = await this.embed(text);
    if (vector === undefined) return [];
    // The nearest come most similar first: those above the floor are the nearest of those.
    const nearest = await this.uvm.nearestMemories(person, model, vector, limit);
    return nearest.filter((memory) => memory.similarity >= this.minSimilarity);
  }
}
