/**
 * What recall costs a persona's turn: on an image holding 100,000 memories (1,000 people with
 * 100 each, words drawn from a vocabulary of 2,000), the person's memories that match a
 * message are found with the image's full-text search and fitted into the recall budget —
 * timed per turn, as `MemoryDesk.recall` runs before every turn — with the prompt tokens
 * that adds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '../src/core/access/principal.ts';
import { callerOf } from '../src/core/bot/caller.ts';
import { Image } from '../src/core/image/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { MemoryDesk } from '../src/personas/memory/desk.ts';
import { DEFAULT_RECALL_TOKENS } from '../src/personas/memory/limits.ts';
import { ensureNotebook, keepMemory } from '../src/personas/memory/notebook.ts';
import { formatNumber, median, percentile, type BenchTable } from './table.ts';

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

/** The caller the bench's person `p` (`discord:p`) is in a channel. */
export function personCaller(p: number): Caller {
  const id = String(p);
  return callerOf({
    platform: 'discord',
    sender: { id, name: id, isAdmin: false },
    channel: 'general',
    text: '',
    mentions: [],
    adminChannel: false,
  });
}

export async function benchMemory(): Promise<BenchTable> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-memory-'));
  const image = await Image.open(join(dir, 'image.db'));
  const uvm = new Uvm({ image, runner: new QuickJsMethodRunner() });
  const next = random(42);
  const words = (n: number) =>
    Array.from({ length: n }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]).join(' ');
  try {
    await seedMemories(image, uvm, words);
    const desk = new MemoryDesk(uvm);
    const times: number[] = [];
    const tokens: number[] = [];
    const recalled: number[] = [];
    let cpu = process.cpuUsage();
    for (let turn = -200; turn < TURNS; turn += 1) {
      const caller = personCaller(Math.floor(next() * PEOPLE));
      const message = `what about ${words(6)}?`;
      const started = performance.now();
      const result = await desk.recall(caller, message, []);
      if (turn < 0) {
        cpu = process.cpuUsage(); // a warm-up
        continue;
      }
      times.push(performance.now() - started);
      tokens.push(result.addedTokens);
      recalled.push(result.memories.length);
    }
    const used = process.cpuUsage(cpu);
    const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return {
      title: `Memory: recall per persona turn on an image of ${formatNumber(PEOPLE * EACH)} memories (SQLite, FTS5)`,
      rows: [
        {
          turns: formatNumber(TURNS),
          'p50 ms': formatNumber(median(times), 2),
          'p99 ms': formatNumber(percentile(times, 99), 2),
          'max ms': formatNumber(Math.max(...times), 2),
          'CPU ms per turn': formatNumber((used.user + used.system) / 1000 / TURNS, 2),
          'memories recalled (mean)': formatNumber(mean(recalled), 1),
          'prompt tokens added (mean)': formatNumber(mean(tokens), 1),
          'prompt tokens added (p99)': formatNumber(percentile(tokens, 99)),
        },
      ],
      notes: [
        `${formatNumber(PEOPLE)} people with ${EACH} memories of 8 words each, from a vocabulary of 2,000; each turn's message names 6 of those words. Recall asks the index for the speaker's best 12 and keeps what fits BATOS_RECALL_TOKENS (${DEFAULT_RECALL_TOKENS}). The first 200 turns are a warm-up.`,
        'Target: p99 ≤ 10 ms per turn. The CPU time (this process, user and system, over all measured turns) does not count time spent waiting for a core, which the wall-clock percentiles do on a loaded machine.',
      ],
    };
  } finally {
    await uvm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
