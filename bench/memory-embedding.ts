/**
 * What an embedding model (BATOS_EMBEDDING_MODEL) adds to recall's cost per turn: on the
 * image of `memory.ts` (100,000 memories), the same turns of the same people recalled with
 * full-text search alone, with the embeddings too (above the default similarity floor, and
 * with none), one after the other, so all meet the same load. The model is the forged embedder (128 dimensions, no real layers): the rows
 * measure BAT OS's side — embedding a message, reading and comparing the person's vectors,
 * fusing — and a real embedding model adds its own time per message on top.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Image } from '../src/core/image/index.ts';
import { Embedder } from '../src/core/mind/embedder.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { MemoryDesk } from '../src/personas/memory/desk.ts';
import { DEFAULT_RECALL_MIN_SIMILARITY } from '../src/personas/memory/limits.ts';
import { forge } from '../tools/forge/index.ts';
import { EACH, personCaller, random, seedMemories, VOCABULARY } from './memory.ts';
import { formatNumber, median, percentile, type BenchTable } from './table.ts';

/**
 * Every other turn's message, in turn: English small talk, about nothing the bench's
 * memories (words of its made-up language) say.
 */
const SMALL_TALK = [
  'how are you today?',
  'can you fix the build script',
  'where did I park?',
  'is the deploy done yet?',
];

/** People whose turns are measured; each has all {@link EACH} memories embedded first. */
const MEASURED = 20;
const TURNS = 500;

export async function benchMemoryEmbedding(): Promise<BenchTable> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-embedding-'));
  const files = await forge({ outDir: join(dir, 'forge') });
  const image = await Image.open(join(dir, 'image.db'));
  const uvm = new Uvm({ image, runner: new QuickJsMethodRunner() });
  const embedder = await Embedder.load({
    model: files.embedder,
    modelsDir: join(dir, 'forge'),
    gpu: false,
    threads: 1,
  });
  const next = random(42);
  const words = (n: number) =>
    Array.from({ length: n }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]).join(' ');
  try {
    await seedMemories(image, uvm, words);
    const desks = {
      off: new MemoryDesk(uvm),
      on: new MemoryDesk(uvm, { embedder }),
      // Before the similarity floor: the nearest memories, however unrelated.
      nearest: new MemoryDesk(uvm, { embedder, minSimilarity: 0 }),
    };
    const kinds = ['off', 'on', 'nearest'] as const;
    type Kind = (typeof kinds)[number];
    // Each recall embeds a few memories that have none: recall until the measured have all.
    for (let p = 0; p < MEASURED; p += 1) {
      const caller = personCaller(p);
      while ((await uvm.memoriesWithoutVector(caller.principal, embedder.id, 1)).length > 0)
        await desks.on.recall(caller, 'warm up', []);
    }
    const times = { off: [] as number[], on: [] as number[], nearest: [] as number[] };
    /** The model's own time in each turn: embedding the message, which recall with it does. */
    const embedding: number[] = [];
    const recalled = { off: [] as number[], on: [] as number[], nearest: [] as number[] };
    const unrelated = { off: [] as number[], on: [] as number[], nearest: [] as number[] };
    const tokens = { off: [] as number[], on: [] as number[], nearest: [] as number[] };
    for (let turn = -50; turn < TURNS; turn += 1) {
      const caller = personCaller(Math.floor(next() * MEASURED));
      const talk = turn % 2 !== 0;
      const message = talk
        ? SMALL_TALK[(turn + 50) % SMALL_TALK.length]!
        : `what about ${words(6)}?`;
      // Rotating which goes first, so none always meets a warmer cache.
      const first = (turn + 3) % 3;
      for (const kind of [...kinds.slice(first), ...kinds.slice(0, first)]) {
        const started = performance.now();
        const result = await desks[kind].recall(caller, message, []);
        if (turn < 0) continue; // a warm-up
        times[kind].push(performance.now() - started);
        (talk ? unrelated : recalled)[kind].push(result.memories.length);
        tokens[kind].push(result.addedTokens);
      }
      const started = performance.now();
      await embedder.embed(message);
      if (turn >= 0) embedding.push(performance.now() - started);
    }
    const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const row = (kind: Kind, recall: string) => ({
      recall,
      turns: formatNumber(TURNS),
      'p50 ms': formatNumber(median(times[kind]), 2),
      'p99 ms': formatNumber(percentile(times[kind], 99), 2),
      '× full-text (p50)': formatNumber(median(times[kind]) / median(times.off), 1),
      'memories recalled (mean)': formatNumber(mean(recalled[kind]), 1),
      'for small talk (mean)': formatNumber(mean(unrelated[kind]), 1),
      'prompt tokens added (mean)': formatNumber(mean(tokens[kind]), 1),
    });
    return {
      title: `Memory: recall per turn with and without an embedding model, on an image of ${formatNumber(100_000)} memories (SQLite)`,
      rows: [
        row('off', 'full-text search alone'),
        row('on', `full-text + embeddings at least ${DEFAULT_RECALL_MIN_SIMILARITY / 100} alike`),
        row('nearest', 'full-text + the nearest embeddings (floor 0)'),
        {
          recall: 'of which the model: embedding the message alone',
          turns: formatNumber(TURNS),
          'p50 ms': formatNumber(median(embedding), 2),
          'p99 ms': formatNumber(percentile(embedding, 99), 2),
          '× full-text (p50)': formatNumber(median(embedding) / median(times.off), 1),
          'memories recalled (mean)': '—',
          'for small talk (mean)': '—',
          'prompt tokens added (mean)': '—',
        },
      ],
      notes: [
        `The same ${formatNumber(TURNS)} turns of ${MEASURED} people (${EACH} memories each, all embedded beforehand) recalled three ways, one after the other; 50 turns of warm-up first. Every other message is English small talk (${SMALL_TALK.length} sentences in turn), the rest name 6 words of the memories' made-up language: the forged embedder finds all texts of that language alike (its words are made of the same ten syllables), so the similarity floor shows on the small talk. The embedder is the forged one (tools/forge/tiny-embedder.ts, 128 dimensions): its time to embed each message, timed alone in the same turns (the last row), is in the embedding rows; a real embedding model's time takes its place. Recall's own cost with embeddings is the row less the model's time.`,
        `Load average while it ran (1, 5, 15 min): ${loadavg()
          .map((l) => l.toFixed(2))
          .join(', ')}.`,
      ],
    };
  } finally {
    await uvm.close();
    await embedder.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
