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
import { rankMemories } from './memory-ranking.ts';
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

/**
 * The most of one owner's memories a SQLite search reads to rank them itself: more than
 * BATOS_MEMORY_KEEP's default keeps, so that only an owner kept past it is searched through
 * FTS5's index of words instead.
 */
export const OWNER_SCAN_LIMIT = 500;

/**
 * Up to `limit` of `owner`'s memories that share words with `text`, best match first. Only
 * the owner's rows are read, found by the owner's index: on PostgreSQL its btree, and there
 * ranked by `ts_rank`; on SQLite FTS5's entry for the owner's token (one word of the index,
 * see {@link SQLITE_OWNER_TOKEN}), ranked here by {@link rankMemories}. The words' own index
 * entries are everyone's: for a frequent word, most of the table's rows, which FTS5's
 * `bm25()` would read on every search to count them.
 */
export async function searchMemories(
  db: Kysely<ImageSchema>,
  owner: Principal,
  text: string,
  limit: number,
): Promise<FoundMemory[]> {
  const terms = searchTerms(text);
  if (terms.length === 0 || limit < 1) return [];
  if (onPostgres(db)) {
    // The owner's memories first, through the owner's index, and only those searched: left
    // to itself the planner ANDs that index with the words' GIN index, which reads the
    // words' entries of everyone (about 2,300 of 100,000 memories in the bench, for 2).
    const { rows } = await sql<FoundMemory>`
      WITH theirs AS MATERIALIZED (SELECT oid, body, words FROM memory_text WHERE owner = ${owner})
      SELECT oid, body AS text FROM theirs, to_tsquery('simple', ${tsqueryAnyOf(terms)}) AS q
      WHERE words @@ q ORDER BY ts_rank(words, q) DESC, oid DESC LIMIT ${limit}`.execute(db);
    return rows;
  }
  const ownerWord = `owner:o${Buffer.from(owner).toString('hex')}`;
  const { rows: theirs } = await sql<FoundMemory>`
    SELECT rowid AS oid, body AS text FROM memory_text WHERE memory_text MATCH ${ownerWord}
    ORDER BY rowid DESC LIMIT ${OWNER_SCAN_LIMIT + 1}`.execute(db);
  if (theirs.length <= OWNER_SCAN_LIMIT) return rankMemories(theirs, terms, theirs.length, limit);
  // Kept past the scan: their memories that hold a word, through the words' index.
  const { rows: matching } = await sql<FoundMemory>`
    SELECT rowid AS oid, body AS text FROM memory_text
    WHERE memory_text MATCH ${`${ownerWord} AND ${fts5AnyOf('body', terms)}`}`.execute(db);
  const { rows: counted } = await sql<{ count: number }>`
    SELECT count(*) AS count FROM memory_text WHERE memory_text MATCH ${ownerWord}`.execute(db);
  return rankMemories(matching, terms, counted[0]!.count, limit);
}
