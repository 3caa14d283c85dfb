/**
 * The method index: what its searches cost on an image with 10,000 methods (1,000 objects of
 * ten), on SQLite and on PostgreSQL — an exact selector (`implementors`), the methods that
 * send one (`senders`: a full-text search, then each candidate confirmed) and the nearest
 * methods to a selector and a few words (before writing) — each as wall-clock and CPU time
 * per search, beside the bare query on the same table (see `lookup.ts`). Each figure is from
 * this run.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { Image, NEAREST_RANKED } from '../src/core/image/index.ts';
import { codeTerms, fts5AnyOf, tsqueryAnyOf } from '../src/core/image/text-search.ts';
import { METHODS_SEARCHED, NEAREST_SEARCHED } from '../src/core/uvm/method-finder.ts';
import { ref, type Slot } from '../src/core/model/value.ts';
import { loadNote, lookupCells, onBothStores, timeLookups, type LookupTimes } from './lookup.ts';
import { formatNumber, type BenchTable } from './table.ts';

const VERBS = ['show', 'count', 'greet', 'sort', 'merge', 'draw', 'pick', 'scale', 'sum', 'wave'];
const NOUNS = ['items', 'names', 'shapes', 'notes', 'cards', 'words', 'lines', 'stars'];
const OBJECTS = 1_000;
const METHODS_PER_OBJECT = 10;
const QUERIES = 300;

/** The `m`th method of object `i`: its selector and a source that sends another. */
function method(i: number, m: number): [string, Slot] {
  const selector = `${VERBS[m % VERBS.length]}_${NOUNS[i % NOUNS.length]}${i}`;
  const other = `${VERBS[(m + 1) % VERBS.length]}_${NOUNS[(i + 1) % NOUNS.length]}${i + 1}`;
  return [
    selector,
    {
      kind: 'method',
      source: `function (self, x) {\n  // ${VERBS[m % VERBS.length]}s the ${NOUNS[i % NOUNS.length]} it is given.\n  return self.send('${other}', x) + ${i};\n}`,
      provenance: { author: 'human', by: 'bench', at: '2026-12-07T00:00:00.000Z' },
    },
  ];
}

async function build(location: string): Promise<void> {
  const image = await Image.open(location);
  try {
    const tx = image.begin({ who: 'bench', platform: 'console' });
    const root = tx.create();
    for (let i = 0; i < OBJECTS; i += 1) {
      const oid = tx.create(Array.from({ length: METHODS_PER_OBJECT }, (_, m) => method(i, m)));
      tx.setSlot(root, `o${i}`, { kind: 'value', value: ref(oid) });
    }
    await image.commit(tx);
  } finally {
    await image.close();
  }
}

const selector = (i: number) => method(i % OBJECTS, i % METHODS_PER_OBJECT)[0];
/** What a sender says beside the selector it needs. */
const words = (i: number) => `${selector(i)} please ${NOUNS[i % NOUNS.length]} it`;
/** The words a bare nearest search looks for: those of three letters or more, once each. */
const nearTerms = (i: number) => [...new Set(codeTerms(words(i)).filter((t) => t.length >= 3))];
const phrase = (i: number) => codeTerms(selector(i)).join(' ');

/** The three searches as bare queries, straight through a store's own driver. */
interface Bare {
  implementors(i: number): Promise<unknown> | unknown;
  senders(i: number): Promise<unknown> | unknown;
  nearest(i: number): Promise<unknown> | unknown;
  close(): Promise<void> | void;
}

function bareSqlite(file: string): Bare {
  const db = new Database(file, { readonly: true });
  const implementors = db.prepare('SELECT rowid FROM methods WHERE selector = ?');
  const match = db.prepare('SELECT rowid FROM methods_fts WHERE methods_fts MATCH ?');
  const ranked = db.prepare(
    `SELECT rowid FROM methods_fts WHERE methods_fts MATCH ?
     ORDER BY bm25(methods_fts, 10.0, 4.0, 1.0) LIMIT ${NEAREST_SEARCHED}`,
  );
  return {
    implementors: (i) => implementors.all(selector(i)),
    senders: (i) => match.all(`source_terms : "send" AND source_terms : "${phrase(i)}"`),
    nearest: (i) => ranked.all(fts5AnyOf('{name_terms doc_terms source_terms}', nearTerms(i))),
    close: () => void db.close(),
  };
}

async function barePostgres(url: string): Promise<Bare> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    implementors: (i) => client.query('SELECT oid FROM methods WHERE selector = $1', [selector(i)]),
    senders: (i) =>
      client.query(
        `SELECT oid FROM methods
         WHERE search @@ (to_tsquery('simple', 'send') && phraseto_tsquery('simple', $1))`,
        [phrase(i)],
      ),
    nearest: (i) =>
      client.query(
        `SELECT oid FROM methods, to_tsquery('simple', $1) AS q WHERE search @@ q
         ORDER BY ts_rank(search, q) DESC LIMIT ${NEAREST_SEARCHED}`,
        [tsqueryAnyOf(nearTerms(i))],
      ),
    close: () => client.end(),
  };
}

/** The three searches, in the order they are timed through the image; `bare` names each in {@link Bare}. */
const SEARCHES = [
  { search: 'implementors (exact selector)', bare: 'implementors', target: '—' },
  { search: 'senders (full text, then confirmed)', bare: 'senders', target: '—' },
  { search: 'nearest to a selector and words', bare: 'nearest', target: '≤ 5 (p99)' },
] as const;

async function measure(
  location: string,
  store: string,
  bareOn: (location: string) => Bare | Promise<Bare>,
): Promise<Array<Record<string, string>>> {
  await build(location);
  const image = await Image.open(location);
  let batos: LookupTimes[];
  try {
    batos = [
      await timeLookups(QUERIES, (i) => image.implementors(selector(i), METHODS_SEARCHED)),
      await timeLookups(QUERIES, (i) => image.senders(selector(i), METHODS_SEARCHED)),
      await timeLookups(QUERIES, (i) => image.nearestMethods(words(i), NEAREST_SEARCHED)),
    ];
  } finally {
    // An open SQLite image keeps its file to itself: the bare queries run once it is shut.
    await image.close();
  }
  const bare = await bareOn(location);
  try {
    const rows: Array<Record<string, string>> = [];
    for (const [n, { search, bare: which, target }] of SEARCHES.entries())
      rows.push({
        search: `${search}, ${store}`,
        ...lookupCells(batos[n]!, await timeLookups(QUERIES, (i) => bare[which](i))),
        target,
      });
    return rows;
  } finally {
    await bare.close();
  }
}

export async function benchMethodIndex(): Promise<BenchTable> {
  const rows = await onBothStores('batos_bench_index', (location, store) =>
    measure(location, store, store === 'SQLite' ? bareSqlite : barePostgres),
  );
  return {
    title: `Method index: searches on an image of ${formatNumber(OBJECTS * METHODS_PER_OBJECT)} methods`,
    rows: rows.flat(),
    notes: [
      `${QUERIES} searches each (after 20 to warm up), a different selector each time; implementors and senders read at most ${METHODS_SEARCHED} rows and nearest ${NEAREST_SEARCHED}, as the UVM first asks, before it leaves out what the asker may not read. A nearest search here matches about 3,000 of the methods; BAT OS ranks at most ${NEAREST_RANKED} of them (those with the rarest words first), while its "bare" query is the search as it was before that bound: one query that ranks every match.`,
      `PostgreSQL is a throwaway server on this machine, started for the run; its CPU time is the server's and is not in the CPU column. ${loadNote()}`,
    ],
  };
}
