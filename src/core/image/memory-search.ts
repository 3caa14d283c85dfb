/**
 * The full-text search of what people asked BAT OS to remember: the objects with a
 * {@link MEMORY_SLOT} slot, indexed by migration `0007_memory_text` (triggers keep the index
 * as the objects table changes). A search names one owner and finds only that owner's
 * memories: the index is never asked for anyone else's.
 */
import { sql, type Kysely } from 'kysely';
import { onPostgres } from './dialect.ts';
import type { Oid } from '../model/value.ts';
import type { Principal } from '../model/principal.ts';
import type { ImageSchema } from './schema.ts';
import { fts5AnyOf, searchTerms, tsqueryAnyOf } from './text-search.ts';

/** The slot a memory object keeps its memory in: `{ text, … }`. No message can name it. */
export const MEMORY_SLOT = 'memory*';

/**
 * The owner as FTS5 keeps it: one token, `o` and the hex of the principal, so a search for
 * one owner is a term of the query and never matches words of a memory.
 */
export const SQLITE_OWNER_TOKEN = `'o' || hex(NEW.owner)`;

/** One memory a search found, best first. */
export interface FoundMemory {
  readonly oid: Oid;
  readonly text: string;
}

/** Up to `limit` of `owner`'s memories that share words with `text`, best match first. */
export async function searchMemories(
  db: Kysely<ImageSchema>,
  owner: Principal,
  text: string,
  limit: number,
): Promise<FoundMemory[]> {
  const terms = searchTerms(text);
  if (terms.length === 0 || limit < 1) return [];
  if (onPostgres(db)) {
    const { rows } = await sql<FoundMemory>`
      SELECT oid, body AS text FROM memory_text
      WHERE owner = ${owner} AND words @@ to_tsquery('simple', ${tsqueryAnyOf(terms)})
      ORDER BY ts_rank(words, to_tsquery('simple', ${tsqueryAnyOf(terms)})) DESC, oid DESC
      LIMIT ${limit}`.execute(db);
    return rows;
  }
  const ownerToken = `o${Buffer.from(owner).toString('hex')}`;
  const { rows } = await sql<FoundMemory>`
    SELECT rowid AS oid, body AS text FROM memory_text
    WHERE memory_text MATCH ${`owner:${ownerToken} AND ${fts5AnyOf('body', terms)}`}
    ORDER BY bm25(memory_text), rowid DESC
    LIMIT ${limit}`.execute(db);
  return rows;
}
