/**
 * Searches of the method index (see `method-index.ts`), in each database's own full-text
 * search: FTS5's MATCH and bm25 on SQLite, `@@` and `ts_rank` on PostgreSQL. Queries are
 * built only from {@link codeTerms} (letters and digits), so no query syntax comes from a
 * message. Every search returns what the index holds; who may see which is the caller's to
 * decide.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { onPostgres } from './dialect.ts';
import { parseProvenance, sendsSelector, type IndexedMethod } from './method-index.ts';
import { codeTerms, fts5AnyOf, tsqueryAnyOf } from './text-search.ts';
import type { ImageSchema, MethodsTable } from './schema.ts';

type Row = Pick<MethodsTable, 'oid' | 'slot' | 'selector' | 'source' | 'doc' | 'provenance'>;

const COLUMNS = sql.raw('m.oid, m.slot, m.selector, m.source, m.doc, m.provenance');

/**
 * Words every method's source holds (the method contract's own), which say nothing about
 * what a method does: left out of a search for the nearest methods.
 */
const COMMON_WORDS = new Set(['function', 'self', 'return', 'get', 'set', 'send', 'the', 'and']);

function indexed(rows: readonly Row[]): IndexedMethod[] {
  return rows.map((row) => ({
    oid: row.oid,
    slot: row.slot,
    selector: row.selector,
    source: row.source,
    doc: row.doc,
    provenance: parseProvenance(row.provenance),
  }));
}

async function rows(db: Kysely<ImageSchema>, query: RawBuilder<Row>): Promise<IndexedMethod[]> {
  return indexed((await query.execute(db)).rows);
}

/** Every method that answers `selector`, wherever it is, in oid order (at most `limit`). */
export function implementorsOf(
  db: Kysely<ImageSchema>,
  selector: string,
  limit: number,
): Promise<IndexedMethod[]> {
  return rows(
    db,
    sql<Row>`SELECT ${COLUMNS} FROM methods m WHERE m.selector = ${selector}
      ORDER BY m.oid, m.slot LIMIT ${limit}`,
  );
}

/**
 * The methods whose source sends `selector` (see {@link sendsSelector}), in oid order: the
 * full-text search finds those whose source has the word `send` and the selector's words in
 * a row, at most `limit`; the rule then confirms each.
 */
export async function sendersOf(
  db: Kysely<ImageSchema>,
  selector: string,
  limit: number,
): Promise<IndexedMethod[]> {
  const phrase = codeTerms(selector).join(' ');
  if (phrase === '') return [];
  const candidates = await rows(
    db,
    onPostgres(db)
      ? sql<Row>`SELECT ${COLUMNS} FROM methods m
          WHERE m.search @@ (to_tsquery('simple', 'send') && phraseto_tsquery('simple', ${phrase}))
          ORDER BY m.oid, m.slot LIMIT ${limit}`
      : sql<Row>`SELECT ${COLUMNS} FROM methods_fts f JOIN methods m ON m.id = f.rowid
          WHERE methods_fts MATCH ${`source_terms : "send" AND source_terms : "${phrase}"`}
          ORDER BY m.oid, m.slot LIMIT ${limit}`,
  );
  return candidates.filter((method) => sendsSelector(method.source, selector));
}

/**
 * The methods nearest `words` (a selector and a sender's words), best first, at most `limit`:
 * ranked by the database's full-text rank over the methods that have any of the words, a
 * match in the selector counting most, then in the doc line, then in the source. Words match
 * whole (`greet` finds `greet` and `greet_all`, not `greeting`): a prefix search costs
 * more than the few milliseconds a send may spend here.
 */
export function nearestMethods(
  db: Kysely<ImageSchema>,
  words: string,
  limit: number,
): Promise<IndexedMethod[]> {
  const terms = [
    ...new Set(codeTerms(words).filter((t) => t.length >= 3 && !COMMON_WORDS.has(t))),
  ].slice(0, 16);
  if (terms.length === 0) return Promise.resolve([]);
  return rows(
    db,
    onPostgres(db)
      ? sql<Row>`SELECT ${COLUMNS} FROM methods m,
            to_tsquery('simple', ${tsqueryAnyOf(terms)}) AS q
          WHERE m.search @@ q
          ORDER BY ts_rank(m.search, q) DESC, m.oid, m.slot LIMIT ${limit}`
      : // Ranked and cut inside FTS5 first, so only the best rows are joined. bm25() in the
        // ORDER BY keeps only the best `limit` as it goes; FTS5's own `ORDER BY rank` would
        // sort every match first. Ties at the cut go to the older row.
        sql<Row>`SELECT ${COLUMNS} FROM (
            SELECT rowid, bm25(methods_fts, 10.0, 4.0, 1.0) AS rank FROM methods_fts
            WHERE methods_fts MATCH ${fts5AnyOf('{name_terms doc_terms source_terms}', terms)}
            ORDER BY rank, rowid LIMIT ${limit}) f
          JOIN methods m ON m.id = f.rowid
          ORDER BY f.rank, m.oid, m.slot`,
  );
}
