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
