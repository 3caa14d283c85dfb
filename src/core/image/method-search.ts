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
import { codeTerms, fts5AnyOf, MAX_TERMS, tsqueryAnyOf } from './text-search.ts';
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

/** Where a method sits in the index's (oid, slot) order: where a caller's next page starts. */
export type MethodPlace = Pick<IndexedMethod, 'oid' | 'slot'>;

/** `AND (oid, slot) > after`, or nothing: a page's start. */
function pastPlace(after: MethodPlace | undefined): RawBuilder<unknown> {
  return after === undefined ? sql`` : sql`AND (m.oid, m.slot) > (${after.oid}, ${after.slot})`;
}

/**
 * Every method that answers `selector`, wherever it is, in oid order (at most `limit`), from
 * just past the method `after` (its oid and slot) when given: a caller pages through them.
 */
export function implementorsOf(
  db: Kysely<ImageSchema>,
  selector: string,
  limit: number,
  after?: MethodPlace,
): Promise<IndexedMethod[]> {
  return rows(
    db,
    sql<Row>`SELECT ${COLUMNS} FROM methods m WHERE m.selector = ${selector} ${pastPlace(after)}
      ORDER BY m.oid, m.slot LIMIT ${limit}`,
  );
}

/** One page of {@link sendersOf}: the senders confirmed, and how far it read. */
export interface SendersPage {
  /** The candidates that do send the selector, in oid order. */
  readonly senders: IndexedMethod[];
  /** Candidates read (confirmed or not): fewer than the limit asked means there are no more. */
  readonly read: number;
  /** The last candidate read, confirmed or not: the next page's `after`. */
  readonly last?: MethodPlace;
}

/**
 * The methods whose source sends `selector` (see {@link sendsSelector}), in oid order: the
 * full-text search finds those whose source has the word `send` and the selector's words in
 * a row, at most `limit`, from just past `after` when given; the rule then confirms each. A
 * caller pages on from `last`, so candidates the rule turns down hide nothing further on.
 */
export async function sendersOf(
  db: Kysely<ImageSchema>,
  selector: string,
  limit: number,
  after?: MethodPlace,
): Promise<SendersPage> {
  const phrase = codeTerms(selector).join(' ');
  if (phrase === '') return { senders: [], read: 0 };
  const past = pastPlace(after);
  const candidates = await rows(
    db,
    onPostgres(db)
      ? sql<Row>`SELECT ${COLUMNS} FROM methods m
          WHERE m.search @@ (to_tsquery('simple', 'send') && phraseto_tsquery('simple', ${phrase}))
          ${past} ORDER BY m.oid, m.slot LIMIT ${limit}`
      : sql<Row>`SELECT ${COLUMNS} FROM methods_fts f JOIN methods m ON m.id = f.rowid
          WHERE methods_fts MATCH ${`source_terms : "send" AND source_terms : "${phrase}"`}
          ${past} ORDER BY m.oid, m.slot LIMIT ${limit}`,
  );
  const last = candidates.at(-1);
  return {
    senders: candidates.filter((method) => sendsSelector(method.source, selector)),
    read: candidates.length,
    ...(last === undefined ? {} : { last: { oid: last.oid, slot: last.slot } }),
  };
}

/**
 * The most methods one nearest search ranks (see {@link nearestMethods}): ranking costs
 * about a microsecond a row on SQLite, so this keeps a search under a millisecond or so
 * however many methods share a word with the request.
 */
export const NEAREST_RANKED = 500;

/**
 * The methods nearest `words` (a selector and a sender's words), best first, at most `limit`
 * (at most {@link NEAREST_RANKED}): ranked by the database's full-text rank, a match in the
 * selector counting most, then in the doc line, then in the source. Words match whole
 * (`greet` finds `greet` and `greet_all`, not `greeting`).
 *
 * Ranking costs in proportion to the methods ranked, and a common word (`greet` in a
 * thousand selectors) matches many: so the search ranks at most {@link NEAREST_RANKED}. It
 * counts each word's matches first (each count stops past that bound), and takes the rarest
 * words, while their matches together fit the bound, as the ones a method must have: rare
 * words say most about what is asked, and the full-text rank weighs them most anyway. Those
 * methods are ranked by all the words and come first; when they are fewer than `limit`, the
 * first {@link NEAREST_RANKED} methods the database finds with any of the words (the oldest,
 * on SQLite: a newcomer's flood of methods cannot push them out) are ranked after them.
 */
export async function nearestMethods(
  db: Kysely<ImageSchema>,
  words: string,
  limit: number,
): Promise<IndexedMethod[]> {
  const terms = [
    ...new Set(codeTerms(words).filter((t) => t.length >= 3 && !COMMON_WORDS.has(t))),
  ].slice(0, MAX_TERMS);
  const matches = await matchCounts(db, terms);
  const found = terms.filter((t) => matches.get(t)! > 0);
  if (found.length === 0) return [];
  const rare = rarest(found, matches);
  if (rare.length === found.length) return rankedAmong(db, found, found, limit);
  const first = rare.length === 0 ? [] : await rankedAmong(db, found, rare, limit);
  if (first.length >= limit) return first;
  const seen = new Set(first.map((m) => `${m.oid} ${m.slot}`));
  const rest = await rankedAmong(db, found, found, limit + first.length);
  return [...first, ...rest.filter((m) => !seen.has(`${m.oid} ${m.slot}`))].slice(0, limit);
}

/** The columns a nearest search looks in, as an FTS5 column filter. */
const SEARCHED_COLUMNS = '{name_terms doc_terms source_terms}';

/** How many methods each of `terms` matches, counted no further than past {@link NEAREST_RANKED}. */
async function matchCounts(
  db: Kysely<ImageSchema>,
  terms: readonly string[],
): Promise<Map<string, number>> {
  if (terms.length === 0) return new Map();
  const postgres = onPostgres(db);
  const counts = terms.map((term) =>
    postgres
      ? sql`SELECT ${term} AS term,
          batos_method_matches(to_tsquery('simple', ${tsqueryAnyOf([term])}), ${NEAREST_RANKED + 1}) AS n`
      : sql`SELECT ${term} AS term, count(*) AS n FROM (
          SELECT 1 FROM methods_fts WHERE methods_fts MATCH ${fts5AnyOf(SEARCHED_COLUMNS, [term])}
          LIMIT ${NEAREST_RANKED + 1})`,
  );
  const { rows } = await sql<{ term: string; n: number }>`${sql.join(
    counts,
    sql` UNION ALL `,
  )}`.execute(db);
  return new Map(rows.map((row) => [row.term, row.n]));
}

/** The rarest of `terms` whose matches together fit {@link NEAREST_RANKED}. */
function rarest(terms: readonly string[], matches: ReadonlyMap<string, number>): string[] {
  const chosen: string[] = [];
  let total = 0;
  for (const term of [...terms].sort((a, b) => matches.get(a)! - matches.get(b)!)) {
    total += matches.get(term)!;
    if (total > NEAREST_RANKED) break;
    chosen.push(term);
  }
  return chosen;
}

/**
 * The best `limit` of the first {@link NEAREST_RANKED} methods found with any of `required`,
 * ranked by `terms`. Where `required` is fewer than `terms`, the query asks for both, so the
 * rank counts the required words twice: they are the rare ones, which say the most.
 */
function rankedAmong(
  db: Kysely<ImageSchema>,
  terms: readonly string[],
  required: readonly string[],
  limit: number,
): Promise<IndexedMethod[]> {
  if (onPostgres(db))
    return rows(
      db,
      sql<Row>`SELECT ${COLUMNS} FROM (
            SELECT * FROM methods WHERE search @@ to_tsquery('simple', ${tsqueryAnyOf(required)})
            LIMIT ${NEAREST_RANKED}) m,
          to_tsquery('simple', ${tsqueryAnyOf(terms)}) AS q
        ORDER BY ts_rank(m.search, q) DESC, m.oid, m.slot LIMIT ${limit}`,
    );
  const anyOf = fts5AnyOf(SEARCHED_COLUMNS, terms);
  const match =
    required.length < terms.length
      ? `${fts5AnyOf(SEARCHED_COLUMNS, required)} AND ${anyOf}`
      : anyOf;
  // Ranked and cut inside FTS5 first, so only the best rows are joined; the inner LIMIT stops
  // FTS5 (in rowid order) before it ranks more. Ties at the cut go to the older row.
  return rows(
    db,
    sql<Row>`SELECT ${COLUMNS} FROM (
          SELECT rowid, rank FROM (
            SELECT rowid, bm25(methods_fts, 10.0, 4.0, 1.0) AS rank FROM methods_fts
            WHERE methods_fts MATCH ${match} LIMIT ${NEAREST_RANKED})
          ORDER BY rank, rowid LIMIT ${limit}) f
        JOIN methods m ON m.id = f.rowid
        ORDER BY f.rank, m.oid, m.slot`,
  );
}
