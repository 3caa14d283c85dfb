/**
 * What recall costs a persona's turn: on an image holding 100,000 memories (1,000 people with
 * 100 each, words drawn by Zipf’s law from a vocabulary of 2,000), on SQLite and PostgreSQL, the
 * person's memories that match a message are found with the image's full-text search and
 * fitted into the recall budget — timed per turn, as `MemoryDesk.recall` runs before every
 * turn, in wall-clock and CPU time, beside the bare search on the same table (see
 * `lookup.ts`) — with the prompt tokens that adds.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Caller } from '../src/core/access/principal.ts';
import { callerOf } from '../src/core/bot/caller.ts';
import { Image, searchTerms } from '../src/core/image/index.ts';
import { OWNER_SCAN_LIMIT } from '../src/core/image/memory-search.ts';
import { tsqueryAnyOf } from '../src/core/image/text-search.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { MemoryDesk } from '../src/personas/memory/desk.ts';
import { DEFAULT_RECALL_TOKENS } from '../src/personas/memory/limits.ts';
import { ensureNotebook, keepMemory } from '../src/personas/memory/notebook.ts';
import { RECALL_SEARCH_LIMIT } from '../src/personas/memory/recall.ts';
import { loadNote, lookupCells, onBothStores, timeLookups } from './lookup.ts';
import { formatNumber, percentile, type BenchTable } from './table.ts';

export const PEOPLE = 1_000;
export const EACH = 100;
const TURNS = 2_000;
const system = { who: 'system:bench', platform: 'console' } as const;

/** A deterministic stream of numbers in [0, 1), so every run measures the same image. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Words of a made-up language: `ka`, `lomi`, … — no stop words, every one searchable. */
export const VOCABULARY = Array.from({ length: 2_000 }, (_, i) => {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'zu'];
  let word = '';
  for (let n = i + 10; n > 0; n = Math.floor(n / 10)) word += syllables[n % 10];
  return word;
});

/**
 * Where each word of {@link VOCABULARY} ends in [0, 1), the i-th (from 0) drawn in proportion
 * to 1 / (i + 1) (Zipf's law, as words of a language are): the first is in about half of all
 * memories, most are in a few dozen.
 */
const ZIPF_BOUNDS = (() => {
  const weights = VOCABULARY.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
})();

/** `n` words drawn with `next`, by Zipf's law (see {@link ZIPF_BOUNDS}). */
const words = (next: () => number, n: number) =>
  Array.from({ length: n }, () => {
    const at = next();
    const i = ZIPF_BOUNDS.findIndex((bound) => at < bound);
    return VOCABULARY[i < 0 ? VOCABULARY.length - 1 : i];
  }).join(' ');

/** The turns every store is timed on: who speaks, and what they say. */
const turns = (() => {
  const next = random(7);
  return Array.from({ length: TURNS }, () => ({
    person: String(Math.floor(next() * PEOPLE)),
    message: `what about ${words(next, 6)}?`,
  }));
})();

/** Gives each of {@link PEOPLE} people {@link EACH} memories of 8 of `words`, as the bench's image. */
export async function seedMemories(
  image: Image,
  uvm: Uvm,
  words: (n: number) => string,
): Promise<void> {
  await uvm.bootstrap(system);
  const source = { persona: 'ROBIN', thread: 'bench', message: 'bench', how: 'asked' } as const;
  for (let p = 0; p < PEOPLE; p += 1) {
    const tx = image.begin(system);
    const person = `discord:${p}`;
    ensureNotebook(tx, person);
    for (let m = 0; m < EACH; m += 1) keepMemory(tx, person, words(8), source, EACH);
    await image.commit(tx);
  }
}

/** The caller the bench's person `person` (`discord:person`) is in a channel. */
export function personCaller(person: number | string): Caller {
  const id = String(person);
  return callerOf({
    platform: 'discord',
    sender: { id, name: id, isAdmin: false },
    channel: 'general',
    text: '',
    mentions: [],
    adminChannel: false,
  });
}

/** The bare search of turn `i`: the person's best matches, as the image asks for them. */
type BareSearch = (i: number) => unknown;

/** On SQLite the image reads the person's rows and ranks them itself: the bare search reads them. */
function bareSqlite(file: string): { search: BareSearch; close(): void } {
  const db = new Database(file, { readonly: true });
  const query = db.prepare(`
    SELECT rowid AS oid, body AS text FROM memory_text WHERE memory_text MATCH ?
    ORDER BY rowid DESC LIMIT ${OWNER_SCAN_LIMIT + 1}`);
  return {
    search: (i) => {
      const { person } = turns[i]!;
      return query.all(`owner:o${Buffer.from(`discord:${person}`).toString('hex')}`);
    },
    close: () => void db.close(),
  };
}

async function barePostgres(url: string): Promise<{ search: BareSearch; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    search: (i) => {
      const { person, message } = turns[i]!;
      return client.query(
        `WITH theirs AS MATERIALIZED (SELECT oid, body, words FROM memory_text WHERE owner = $1)
         SELECT oid, body AS text FROM theirs, to_tsquery('simple', $2) AS q
         WHERE words @@ q ORDER BY ts_rank(words, q) DESC, oid DESC LIMIT ${RECALL_SEARCH_LIMIT}`,
        [`discord:${person}`, tsqueryAnyOf(searchTerms(message))],
      );
    },
    close: () => client.end(),
  };
}

async function measure(
  location: string,
  store: string,
  bareOn: (location: string) => Promise<{ search: BareSearch; close(): unknown }>,
): Promise<Record<string, string>> {
  const image = await Image.open(location);
  const uvm = new Uvm({ image, runner: new QuickJsMethodRunner() });
  const tokens: number[] = [];
  const recalled: number[] = [];
  let times;
  try {
    const next = random(42);
    await seedMemories(image, uvm, (n) => words(next, n));
    const desk = new MemoryDesk(uvm);
    times = await timeLookups(
      TURNS,
      async (i) => {
        const { person, message } = turns[(i + TURNS) % TURNS]!;
        const result = await desk.recall(personCaller(person), message, []);
        if (i < 0) return;
        tokens.push(result.addedTokens);
        recalled.push(result.memories.length);
      },
      200,
    );
  } finally {
    // An open SQLite image keeps its file to itself: the bare search runs once it is shut.
    await uvm.close();
  }
  const bare = await bareOn(location);
  try {
    const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return {
      store,
      ...lookupCells(times, await timeLookups(TURNS, (i) => bare.search((i + TURNS) % TURNS), 200)),
      'memories recalled (mean)': formatNumber(mean(recalled), 1),
      'prompt tokens added (mean / p99)': `${formatNumber(mean(tokens), 1)} / ${formatNumber(percentile(tokens, 99))}`,
    };
  } finally {
    await bare.close();
  }
}

export async function benchMemory(): Promise<BenchTable> {
  const rows = await onBothStores('batos_bench_memory', (location, store) =>
    store === 'SQLite'
      ? measure(location, 'SQLite (FTS5)', (file) => Promise.resolve(bareSqlite(file)))
      : measure(location, 'PostgreSQL (tsvector)', barePostgres),
  );
  return {
    title: `Memory: recall per persona turn on an image of ${formatNumber(PEOPLE * EACH)} memories`,
    rows,
    notes: [
      `${formatNumber(PEOPLE)} people with ${EACH} memories of 8 words each, drawn from a vocabulary of 2,000 by Zipf's law (the commonest word is in about half the memories); ${formatNumber(TURNS)} turns (after 200 to warm up), each a random person's message naming 6 of those words. Recall asks the index for the speaker's best ${RECALL_SEARCH_LIMIT} and keeps what fits BATOS_RECALL_TOKENS (${DEFAULT_RECALL_TOKENS}); "bare" is that search's query alone (on SQLite: reading the speaker's memories, which the image then ranks).`,
      `Target: p99 ≤ 10 ms per turn. PostgreSQL is a throwaway server on this machine, started for the run; its CPU time is the server's and is not in the CPU column. ${loadNote()}`,
    ],
  };
}
