/**
 * What memory keeps and recalls unless told otherwise: a module of its own, so that the
 * settings table reads the defaults without loading the personas.
 */

/** Memories kept per person (BATOS_MEMORY_KEEP): past it the oldest are forgotten. */
export const DEFAULT_MEMORY_KEEP = 200;
/** Tokens recall may add to a persona's prompt per turn (BATOS_RECALL_TOKENS). */
export const DEFAULT_RECALL_TOKENS = 256;
/** The longest memory, in characters: a note, not a document. */
export const MAX_MEMORY_CHARS = 500;
/**
 * How alike in meaning a memory must be to the message, in hundredths of cosine similarity,
 * to be recalled by the embedding model alone (BATOS_RECALL_MIN_SIMILARITY): below it the
 * nearest memories are only the least unrelated. Half suits nomic-embed-text and bge-small,
 * whose unrelated texts mostly score below it.
 */
export const DEFAULT_RECALL_MIN_SIMILARITY = 50;
