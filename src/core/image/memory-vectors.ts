/**
 * The embeddings of what people asked BAT OS to remember (BATOS_EMBEDDING_MODEL): one vector
 * per memory object in `memory_vectors` (migration `0010_memory_vectors`), beside the
 * full-text index `memory_text` (see `memory-search.ts`). A vector is derived from its
 * memory, never history: triggers delete it when the memory goes (forget, the retention
 * bound, an undo, `collect`), and a memory without one (an undo brought it back, the model
 * changed) gets it again when its owner's recall next asks. Every read and write names one
 * owner and joins the full-text index, so only that owner's live memories are ever compared
 * or returned.
 */
import { sql, type Kysely } from 'kysely';
import { onPostgres } from './dialect.ts';
import type { FoundMemory } from './memory-search.ts';
import type { Oid } from '../model/value.ts';
import type { Principal } from '../model/principal.ts';
import type { ImageSchema } from './schema.ts';

/** A memory found by its vector, with its cosine similarity to the one asked about. */
export interface NearMemory extends FoundMemory {
  readonly similarity: number;
}

/**
 * Keeps `vector` (of unit length) as the embedding `model` made of `owner`'s memory `oid`,
 * replacing any earlier one. Nothing is kept when the memory is no longer theirs or gone (a
 * forget committed first); returns whether it was kept.
 */
export async function storeMemoryVector(
  db: Kysely<ImageSchema>,
  owner: Principal,
  oid: Oid,
  model: string,
  vector: Float32Array,
): Promise<boolean> {
  const bytes = encodeVector(vector);
  const live = onPostgres(db)
    ? sql`SELECT 1 FROM memory_text WHERE oid = ${oid} AND owner = ${owner}`
    : sql`SELECT 1 FROM memory_text WHERE rowid = ${oid} AND owner = 'o' || hex(${owner})`;
  const result = await sql`
    INSERT INTO memory_vectors (oid, owner, model, vector)
    SELECT ${oid}, ${owner}, ${model}, ${bytes} WHERE EXISTS (${live})
    ON CONFLICT (oid) DO UPDATE
    SET owner = excluded.owner, model = excluded.model, vector = excluded.vector`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Up to `limit` of `owner`'s memories that have no vector from `model` yet, newest first. */
export async function memoriesWithoutVector(
  db: Kysely<ImageSchema>,
  owner: Principal,
  model: string,
  limit: number,
): Promise<FoundMemory[]> {
  if (limit < 1) return [];
  if (onPostgres(db)) {
    const { rows } = await sql<FoundMemory>`
      SELECT m.oid, m.body AS text FROM memory_text m
      WHERE m.owner = ${owner} AND NOT EXISTS (
        SELECT 1 FROM memory_vectors v WHERE v.oid = m.oid AND v.model = ${model})
      ORDER BY m.oid DESC LIMIT ${limit}`.execute(db);
    return rows;
  }
  const { rows } = await sql<FoundMemory>`
    SELECT rowid AS oid, body AS text FROM memory_text
    WHERE memory_text MATCH ('owner:o' || hex(${owner}))
      AND rowid NOT IN (SELECT oid FROM memory_vectors WHERE owner = ${owner} AND model = ${model})
    ORDER BY rowid DESC LIMIT ${limit}`.execute(db);
  return rows;
}

/**
 * Up to `limit` of `owner`'s memories whose vector from `model` is nearest `vector` (of unit
 * length) by cosine, most similar first; only those more alike than unrelated (above 0).
 */
export async function nearestMemories(
  db: Kysely<ImageSchema>,
  owner: Principal,
  model: string,
  vector: Float32Array,
  limit: number,
): Promise<NearMemory[]> {
  if (limit < 1 || vector.length === 0) return [];
  const { rows } = await (
    onPostgres(db)
      ? sql<{ oid: Oid; text: string; vector: Uint8Array }>`
        SELECT v.oid, m.body AS text, v.vector FROM memory_vectors v
        JOIN memory_text m ON m.oid = v.oid
        WHERE v.owner = ${owner} AND v.model = ${model} AND m.owner = ${owner}`
      : sql<{ oid: Oid; text: string; vector: Uint8Array }>`
        SELECT v.oid, m.body AS text, v.vector FROM memory_vectors v
        JOIN memory_text m ON m.rowid = v.oid
        WHERE v.owner = ${owner} AND v.model = ${model} AND m.owner = 'o' || hex(${owner})`
  ).execute(db);
  return rows
    .flatMap((row) => {
      const similarity = dot(vector, row.vector);
      return similarity > 0 ? [{ oid: Number(row.oid), text: row.text, similarity }] : [];
    })
    .sort((a, b) => b.similarity - a.similarity || b.oid - a.oid)
    .slice(0, limit);
}

/** The vector as stored: its float32s, little-endian. */
function encodeVector(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return bytes;
}

/** The dot product of `vector` with a stored one; 0 when their lengths differ. */
function dot(vector: Float32Array, stored: Uint8Array): number {
  if (stored.byteLength !== vector.length * 4) return 0;
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * view.getFloat32(i * 4, true);
  return sum;
}
