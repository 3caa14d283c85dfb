/**
 * Recall ranked by an embedding model (BATOS_EMBEDDING_MODEL), through the real Bot with the
 * forged model and the forged embedder (whose words of one topic lie close, see
 * `tools/forge/tiny-embedder.ts`): a memory that shares no word with the message is recalled
 * when the embedder is on and not when it is off, never for anyone else, only when near
 * enough (BATOS_RECALL_MIN_SIMILARITY), and its vector comes and goes with it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedder } from '../../src/core/mind/embedder.ts';
import type { ChatRequest, Mind } from '../../src/core/mind/index.ts';
import type { Send } from '../../src/core/protocol.ts';
import { readMemories } from '../../src/personas/memory/notebook.ts';
import { forged } from '../support/forged.ts';
import { loadTinyMind, openPersonaCore } from '../support/personas.ts';
import { replyToPlainText } from '../support/reply-text.ts';

let mind: Mind;
let embedder: Embedder;
beforeAll(async () => {
  const files = await forged();
  [mind, embedder] = await Promise.all([
    loadTinyMind(),
    Embedder.load({
      model: files.embedder,
      modelsDir: join(files.outDir, 'models'),
      gpu: false,
      threads: 1,
    }),
  ]);
});
afterAll(async () => {
  await embedder?.close();
  await mind?.close();
});

const person = (id: string): Partial<Send> => ({
  sender: { id, name: id, isAdmin: false },
  channel: 'shared',
  adminChannel: false,
});
const ann = person('ann');
const bob = person('bob');
const ANN = 'console:ann';

/**
 * The similarity floor for the forged embedder, whose scale is its own: a message of one word
 * of a topic and a memory of three tokens that holds another score about 0.29; texts of no
 * common topic score 0, or up to about 0.2 where their tokens share a dimension.
 */
const FORGED_FLOOR = 0.25;

/** A core whose persona turns are given to the forged model; with the embedder or without. */
async function recallCore(options: { embedder?: Embedder; keep?: number; minSimilarity?: number }) {
  const requests: ChatRequest[] = [];
  const core = await openPersonaCore({
    conversation: {
      mind: {
        chat: (request: ChatRequest) => {
          requests.push(request);
          return mind.chat(request);
        },
        choose: (options, prompt) => mind.choose(options, prompt),
      },
      memory: { notice: false, minSimilarity: FORGED_FLOOR, ...options },
    },
  });
  return {
    ...core,
    /** Says `text`, which must be answered; the text the mind was given. */
    prompted: async (text: string, as: Partial<Send>) => {
      const reply = await core.say(text, as);
      expect(reply.status, replyToPlainText(reply)).toBe('ok');
      return requests[requests.length - 1]!.text;
    },
    /** The memories of ann's nearest `text` by their vectors. */
    nearest: async (text: string) =>
      (await core.uvm.nearestMemories(ANN, embedder.id, await embedder.embed(text), 10)).map(
        (m) => m.text,
      ),
    /** Ann's memories that have no vector. */
    vectorless: async () =>
      (await core.uvm.memoriesWithoutVector(ANN, embedder.id, 10)).map((m) => m.text),
  };
}

/** The recalled memories in a prompt, best first. */
const recalledIn = (prompt: string): string[] =>
  prompt
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2));

describe('recall ranked by an embedding model', () => {
  it('recalls a memory that shares no word with the message when on, not when off, and only the person’s own', async () => {
    for (const on of [true, false]) {
      const core = await recallCore(on ? { embedder } : {});
      await core.ok('remember that I prefer tea', ann);
      await core.ok('remember that my locker is number twelve', ann);
      await core.ok('remember that I like espresso at noon', bob);
      // No word in common with any of ann's memories: full-text search finds nothing.
      const prompt = await core.prompted('Brick, chamomile?', ann);
      if (on) {
        expect(recalledIn(prompt)[0], prompt).toBe('I prefer tea');
        expect(prompt.endsWith('Their message:\nchamomile?')).toBe(true);
      } else expect(prompt).toBe('chamomile?');
      expect(prompt).not.toContain('espresso');
      // Bob's turn recalls bob's, never ann's.
      const bobs = await core.prompted('Brick, chamomile?', bob);
      expect(bobs).not.toContain('tea');
      expect(recalledIn(bobs)).toEqual(on ? ['I like espresso at noon'] : []);
    }
  });

  it('recalls nothing by similarity alone below the floor: an unrelated message nothing, a related one what it is about', async () => {
    for (const floor of [FORGED_FLOOR, 0]) {
      const core = await recallCore({ embedder, minSimilarity: floor });
      await core.ok('remember that I prefer tea', ann);
      await core.ok('remember that my sister plays guitar', ann);
      await core.ok('remember that I keep a cat', ann);
      expect(recalledIn(await core.prompted('Brick, chamomile?', ann))).toEqual(['I prefer tea']);
      // Nothing of hers is about this: only the floor keeps the least unrelated out.
      const unrelated = await core.prompted('Brick, how are you today?', ann);
      if (floor === 0) expect(recalledIn(unrelated)).toEqual(['my sister plays guitar']);
      else expect(unrelated).toBe('how are you today?');
    }
  });

  it('keeps a memory both searches find first', async () => {
    const core = await recallCore({ embedder });
    await core.ok('remember that my sister plays guitar', ann);
    await core.ok('remember that my brother lives in Lisbon', ann);
    await core.ok('remember that I keep a cat', ann);
    // "sister" is a shared word (full text) and a near topic (family): first.
    expect(recalledIn(await core.prompted('Brick, my sister and my aunt visit', ann))[0]).toBe(
      'my sister plays guitar',
    );
  });

  it('keeps the vectors in step with the memories: forget, undo, retention', async () => {
    const core = await recallCore({ embedder, keep: 2 });
    await core.ok('remember that I prefer tea', ann);
    expect(await core.vectorless()).toEqual([]);
    expect(await core.nearest('chamomile')).toEqual(['I prefer tea']);

    await core.ok('forget tea', ann);
    expect(await core.nearest('chamomile')).toEqual([]);
    expect(await core.prompted('Brick, chamomile tonight?', ann)).toBe('chamomile tonight?');

    await core.ok('undo', ann);
    // Back without its vector, until ann's next recall makes it again.
    expect(await core.vectorless()).toEqual(['I prefer tea']);
    expect(recalledIn(await core.prompted('Brick, chamomile tonight?', ann))).toContain(
      'I prefer tea',
    );
    expect(await core.vectorless()).toEqual([]);

    // Past BATOS_MEMORY_KEEP the oldest goes, and its vector with it.
    await core.ok('remember that my cat is called Mog', ann);
    await core.ok('remember that I play the piano', ann);
    const kept = await core.uvm.readCommitted((tx) => readMemories(tx, ANN).map((m) => m.text));
    expect(kept).toEqual(['my cat is called Mog', 'I play the piano']);
    expect(await core.nearest('chamomile tea')).not.toContain('I prefer tea');
    expect((await core.nearest('kitten'))[0]).toBe('my cat is called Mog');
  });
});
