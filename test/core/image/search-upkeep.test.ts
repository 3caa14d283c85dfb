/**
 * The full-text lookups as they were made quick (migration 0011, the nearest search's bounded
 * ranking): the nearest methods are the best of the database's own ranking of every match,
 * and an image made before 0011 keeps every method and memory, found as before.
 */
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { encodeSlots } from '../../../src/core/image/codec.ts';
import { MEMORY_SLOT, NEAREST_RANKED, type Image } from '../../../src/core/image/index.ts';
import { methodIndexRow, methodsRow } from '../../../src/core/image/method-index.ts';
import { fts5AnyOf, tsqueryAnyOf } from '../../../src/core/image/text-search.ts';
import { OWNER_SLOT } from '../../../src/core/model/object-access.ts';
import type { Slot } from '../../../src/core/model/value.ts';
import { freshImageLocation, IMAGE_KINDS, type ImageKind } from '../../support/images.ts';
import { imageBefore, v, who, withDatabase, withImage } from './support.ts';

const method = (source: string): Extract<Slot, { kind: 'method' }> => ({
  kind: 'method',
  source,
  provenance: { author: 'human', by: 'console:ada', at: '2026-01-01T00:00:00.000Z' },
});

const WORDS = ['sorting', 'cards', 'deck', 'shuffle', 'hand', 'pile', 'table', 'chips'];

/**
 * The `i`th of many methods: a selector, a doc line and a body of words from {@link WORDS},
 * in counts and lengths that differ from method to method, so their ranks differ too.
 */
function manyWords(i: number): [string, Slot] {
  const word = (n: number) => WORDS[(i * 7 + n * 3) % WORDS.length]!;
  const body = Array.from({ length: 1 + (i % 5) }, (_, n) => `'${word(n + 2)}'`).join(' + ');
  return [
    `${word(0)}_${word(1)}${i}`,
    method(
      `function (self) {\n  // Puts the ${word(1)} on the ${word(i % 3)}.\n  return ${body};\n}`,
    ),
  ];
}

/**
 * Every method matching any of `terms`, with the score the database gives it (lower is
 * better), best first: the ranking of all matches, with no bound.
 */
async function rankedWithoutBound(
  db: Kysely<unknown>,
  kind: ImageKind,
  terms: readonly string[],
): Promise<Array<{ key: string; score: number }>> {
  const { rows } =
    kind === 'sqlite'
      ? await sql<{ oid: number; slot: string; score: number }>`
          SELECT m.oid, m.slot, s.score FROM (
            SELECT rowid, bm25(methods_fts, 10.0, 4.0, 1.0) AS score FROM methods_fts
            WHERE methods_fts MATCH ${fts5AnyOf('{name_terms doc_terms source_terms}', terms)}) s
          JOIN methods m ON m.id = s.rowid ORDER BY s.score`.execute(db)
      : await sql<{ oid: number; slot: string; score: number }>`
          SELECT oid, slot, -ts_rank(search, q) AS score
          FROM methods, to_tsquery('simple', ${tsqueryAnyOf(terms)}) AS q
          WHERE search @@ q ORDER BY score`.execute(db);
  return rows.map((r) => ({ key: `#${r.oid} ${r.slot}`, score: Number(r.score) }));
}

describe.each(IMAGE_KINDS)('the full-text lookups on %s', (kind) => {
  it('finds as nearest the best of the ranking of every match', async () => {
    const location = await freshImageLocation(kind);
    await withImage(location, async (image) => {
      const tx = image.begin(who);
      const root = tx.create();
      for (let i = 0; i < 80; i += 1)
        tx.setSlot(root, `o${i}`, v({ $ref: tx.create([manyWords(i)]) }));
      await image.commit(tx);
    });
    // An open SQLite image keeps its file to itself: the reference is read while it is shut.
    const all = await withDatabase(location, (db) =>
      rankedWithoutBound(db, kind, ['sorting', 'cards', 'deck']),
    );
    expect(all.length).toBeGreaterThan(40);
    const score = new Map(all.map((r) => [r.key, r.score]));
    await withImage(location, async (image) => {
      for (const limit of [1, 5, 20]) {
        const near = await image.nearestMethods('sorting cards deck', limit);
        expect(near).toHaveLength(limit);
        // The same scores as the best `limit` of all, in the same order (which of several
        // methods with one score is taken at the cut is the database's to choose).
        expect(near.map((m) => score.get(`#${m.oid} ${m.slot}`))).toEqual(
          all.slice(0, limit).map((r) => r.score),
        );
      }
    });
  });
});

describe.each(IMAGE_KINDS)('the nearest search past its bound on %s', (kind) => {
  /**
   * `count` methods `draw_shapes_<i>` and `fill_shapes_<i>` in turn (`shapes` in all of
   * them), then three with a rare word, `zebra`.
   */
  async function commonAndRare(location: string, count: number): Promise<void> {
    await withImage(location, async (image) => {
      const tx = image.begin(who);
      const root = tx.create();
      const common = Array.from({ length: count }, (_, i): [string, Slot] => [
        `${i % 2 === 0 ? 'draw' : 'fill'}_shapes_${i}`,
        method(`function (self) {\n  return ${i};\n}`),
      ]);
      for (let at = 0; at < count; at += 50)
        tx.setSlot(root, `o${at}`, v({ $ref: tx.create(common.slice(at, at + 50)) }));
      tx.setSlot(
        root,
        'zebras',
        v({
          $ref: tx.create([
            ['paint_zebra', method('function (self) { return 1 }')],
            ['zebra_shapes', method('function (self) { return 2 }')],
            ['zebra_stripes', method("function (self) { return 'stripes' }")],
          ]),
        }),
      );
      await image.commit(tx);
    });
  }

  it('ranks the methods with the rarer words first, best first, when a word is common', async () => {
    const location = await freshImageLocation(kind);
    await commonAndRare(location, NEAREST_RANKED + 100);
    await withImage(location, async (image) => {
      const near = (await image.nearestMethods('zebra shapes', 6)).map((m) => m.selector);
      // First those with the rare word, the one with both words first; then the common word.
      expect(near[0]).toBe('zebra_shapes');
      expect(near.slice(1, 3).sort()).toEqual(['paint_zebra', 'zebra_stripes']);
      expect(near.slice(3)).toHaveLength(3);
      for (const selector of near.slice(3)) expect(selector).toMatch(/^(draw|fill)_shapes_\d+$/u);
      // Only a common word: as many as asked for, all with the word.
      const common = await image.nearestMethods('shapes', 20);
      expect(common).toHaveLength(20);
      for (const m of common) expect(m.selector).toMatch(/_shapes_\d+$/u);
    });
  });
});

describe.each(IMAGE_KINDS)('migration 0011 on %s', (kind) => {
  it('keeps every method and memory of an existing image, found as before', async () => {
    const location = await freshImageLocation(kind);
    const greet = method(
      "function (self, name) {\n  // Greets someone by name.\n  return 'Hi ' + name }",
    );
    const welcome = method("function (self) { return self.send('greet', 'guest') }");
    await imageBefore(location, '0011', async (db) => {
      const objects: Array<[number, string, Map<string, Slot>]> = [
        [1, 'system', new Map([['greet', greet]])],
        [2, 'system', new Map([['welcome', welcome]])],
        [3, 'console:ann', new Map<string, Slot>([['greet', greet]])],
        [
          4,
          'console:ann',
          new Map([
            [OWNER_SLOT, v('console:ann')],
            [MEMORY_SLOT, v({ text: 'I like green tea', at: 'then' })],
          ]),
        ],
      ];
      for (const [oid, owner, slots] of objects) {
        await sql`INSERT INTO objects (oid, slots, owner)
          VALUES (${oid}, ${encodeSlots(slots)}, ${owner})`.execute(db);
        for (const [name, slot] of slots)
          if (slot.kind === 'method')
            await sql`INSERT INTO methods (oid, slot, selector, source, doc, provenance,
                name_terms, doc_terms, source_terms)
              VALUES (${sql.join(Object.values(methodsRow(methodIndexRow(oid, name, slot))))})`.execute(
              db,
            );
      }
      await sql`UPDATE meta SET value = '5' WHERE key = 'next_oid'`.execute(db);
    });

    const found = async (image: Image) => ({
      implementors: (await image.implementors('greet', 10)).map((m) => `#${m.oid} ${m.slot}`),
      senders: (await image.senders('greet', 10)).senders.map((m) => `#${m.oid} ${m.slot}`),
      nearest: (await image.nearestMethods('greets', 1)).map((m) => m.doc),
      memories: (await image.searchMemories('console:ann', 'green tea', 5)).map((m) => m.text),
    });
    await withImage(location, async (image) => {
      expect(await found(image)).toEqual({
        implementors: ['#1 greet', '#3 greet'],
        senders: ['#2 welcome'],
        nearest: ['Greets someone by name.'],
        memories: ['I like green tea'],
      });
      // What is written after it is found as well: the indexes take new rows.
      const tx = image.begin(who);
      tx.setSlot(2, 'greet', greet);
      tx.setSlot(4, MEMORY_SLOT, v({ text: 'I like green tea, and oolong', at: 'now' }));
      await image.commit(tx);
      expect(await found(image)).toEqual({
        implementors: ['#1 greet', '#2 greet', '#3 greet'],
        senders: ['#2 welcome'],
        nearest: ['Greets someone by name.'],
        memories: ['I like green tea, and oolong'],
      });
    });

    await withDatabase(location, async (db) => {
      const indexes =
        kind === 'sqlite'
          ? await sql<{ name: string }>`
              SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'methods'
                AND name LIKE 'methods_by_%'`.execute(db)
          : await sql<{ name: string }>`
              SELECT indexname AS name FROM pg_indexes
              WHERE tablename = 'methods' AND indexname LIKE 'methods_by_%'`.execute(db);
      expect(indexes.rows.map((r) => r.name)).toEqual(['methods_by_selector_in_order']);
      if (kind === 'postgres') {
        const { rows } = await sql<{ name: string; options: string[] }>`
          SELECT relname AS name, reloptions AS options FROM pg_class
          WHERE relname IN ('methods_search', 'memory_text_words') ORDER BY relname`.execute(db);
        expect(rows).toEqual([
          { name: 'memory_text_words', options: ['fastupdate=off'] },
          { name: 'methods_search', options: ['fastupdate=off'] },
        ]);
      }
    });
  });
});
