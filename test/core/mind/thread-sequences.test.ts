import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DISPLAY_YOURSELF_SOURCE,
  PERSONA_SIGNATURES,
  type ForgedFiles,
} from '../../../tools/forge/index.ts';
import { type PersonaName } from '../../../src/personas/names.ts';
import {
  buildMethodPrompt,
  Mind,
  type ChatRequest,
  type ChatTurn,
} from '../../../src/core/mind/index.ts';
import { forged, tinyConfig } from '../../support/forged.ts';
import { genesisPrompt, rejection } from '../../support/mind-requests.ts';

let files: ForgedFiles;
let mind: Mind;
beforeAll(async () => {
  files = await forged();
  mind = await Mind.load(tinyConfig(files.model, { contextSize: 2048, sequences: 4 }));
});
afterAll(() => mind?.close());

/** A turn with `persona` (or the base model) in `thread`. */
function turn(
  persona: PersonaName | undefined,
  thread: string,
  extra: Partial<ChatRequest> = {},
): ChatRequest {
  return {
    ...(persona ? { adapter: { path: files.adapters[persona], scale: 1 } } : {}),
    systemPrompt: `You are ${persona ?? 'nobody'}; this is ${thread}.`,
    thread,
    history: [],
    text: `hello from ${thread}`,
    ...extra,
  };
}

/** Loads a mind of its own, closed when `use` is done. */
async function withMind<T>(
  overrides: Parameters<typeof tinyConfig>[1],
  use: (own: Mind) => Promise<T>,
): Promise<T> {
  const own = await Mind.load(tinyConfig(files.model, overrides));
  try {
    return await use(own);
  } finally {
    await own.close();
  }
}

/** Tokens `own` evaluates for `request`: what its sequence did not already hold. */
async function evaluatedFor(own: Mind, request: ChatRequest): Promise<number> {
  const before = own.stats().tokens.evaluated;
  await own.chat(request);
  return own.stats().tokens.evaluated - before;
}

describe('concurrent turns on one context', () => {
  it('each get the answer their prompt gets alone, with their own adapter, decoded together', async () => {
    const requests = [
      turn('ROBIN', 'r1'),
      turn('ROBIN', 'r2'),
      turn('BRICK', 'b1'),
      turn('ROBIN', 'r3'),
      turn(undefined, 'n1'),
      turn('BABS', 'a1'),
      turn('BRICK', 'b2'),
      turn('ALFRED', 'f1'),
    ];
    const alone: string[] = [];
    for (const request of requests) alone.push(await mind.chat(request));
    expect(alone.slice(0, 3)).toEqual([
      PERSONA_SIGNATURES.ROBIN,
      PERSONA_SIGNATURES.ROBIN,
      PERSONA_SIGNATURES.BRICK,
    ]);
    expect(alone[4]).toBe(DISPLAY_YOURSELF_SOURCE);

    // Which thread's partial came when: batched sequences stream side by side.
    const log: string[] = [];
    const together = await Promise.all(
      requests.map((request) =>
        mind.chat({ ...request, onPartial: () => log.push(request.thread!) }),
      ),
    );
    expect(together).toEqual(alone);
    const robins = ['r1', 'r2', 'r3'].map((thread) => ({
      first: log.indexOf(thread),
      last: log.lastIndexOf(thread),
    }));
    for (const a of robins) for (const b of robins) expect(a.first).toBeLessThan(b.last);
    expect(mind.stats().threads[`${files.adapters.ROBIN}@1`]).toEqual(
      expect.arrayContaining(['r1', 'r2', 'r3']),
    );
  });

  it('writes methods for different selectors at once, each as it would alone', async () => {
    const prompts = ['display_yourself', 'describe', 'greet'].map((selector) =>
      buildMethodPrompt({
        oid: 3,
        name: 'genesis',
        slotNames: ['parent*', 'about'],
        parents: [{ oid: 1, name: 'traits' }],
        selector,
        args: [],
      }),
    );
    const alone = [];
    for (const prompt of prompts) alone.push(await mind.generateMethod(prompt));
    expect(await Promise.all(prompts.map((prompt) => mind.generateMethod(prompt)))).toEqual(alone);
  });

  it('stops a cancelled turn and leaves the others in its batch alone', async () => {
    const cancel = new AbortController();
    const results = await Promise.allSettled([
      mind.chat(turn('ROBIN', 'c1')),
      mind.chat(turn('ROBIN', 'c2', { signal: cancel.signal, onPartial: () => cancel.abort() })),
      mind.chat(turn('ROBIN', 'c3')),
      mind.chat(turn('BRICK', 'c4', { timeoutMs: 1 })),
      mind.chat(turn('BRICK', 'c5')),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: PERSONA_SIGNATURES.ROBIN });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'aborted' } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: PERSONA_SIGNATURES.ROBIN });
    expect(results[3]).toMatchObject({ status: 'rejected', reason: { code: 'timeout' } });
    expect(results[4]).toEqual({ status: 'fulfilled', value: PERSONA_SIGNATURES.BRICK });
    // The cancelled thread's sequence answers its next turn in full.
    expect(await mind.chat(turn('ROBIN', 'c2'))).toBe(PERSONA_SIGNATURES.ROBIN);
  });

  it('fails a turn that cannot fit without failing the others in its batch', async () => {
    const tooLong = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const results = await Promise.allSettled([
      mind.chat(turn('BABS', 'f1')),
      mind.chat(turn('BABS', 'f2', { systemPrompt: tooLong })),
      mind.chat(turn('BABS', 'f3')),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: PERSONA_SIGNATURES.BABS });
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: { code: 'generation-failed', message: expect.stringContaining('BATOS_CONTEXT_SIZE') },
    });
    expect(results[2]).toEqual({ status: 'fulfilled', value: PERSONA_SIGNATURES.BABS });
    expect(await mind.chat(turn('BABS', 'f2'))).toBe(PERSONA_SIGNATURES.BABS);
  });
});

describe('a thread and its sequence', () => {
  const history: ChatTurn[] = Array.from({ length: 12 }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    text: `turn ${i} of a long conversation about the release and what is left to do`,
  }));

  it("evaluates only what is new in a thread's next turn", async () => {
    await withMind({ sequences: 2 }, async (own) => {
      const first = turn('ALFRED', 'long', { history });
      const firstCost = await evaluatedFor(own, first);
      const reply = PERSONA_SIGNATURES.ALFRED;
      const next = turn('ALFRED', 'long', {
        history: [
          ...history,
          { role: 'user', text: first.text },
          { role: 'assistant', text: reply },
        ],
        text: 'and then?',
      });
      const nextCost = await evaluatedFor(own, next);
      // The same prompt in a thread whose sequence holds nothing of it.
      const freshCost = await evaluatedFor(own, { ...next, thread: 'other' });
      expect(freshCost).toBeGreaterThan(firstCost);
      expect(nextCost).toBeLessThan(freshCost / 4);
    });
  });

  it('gives the least recently used thread’s sequence to a new thread when all are taken', async () => {
    await withMind({ sequences: 2 }, async (own) => {
      const robin = `${files.adapters.ROBIN}@1`;
      const say = (thread: string) => own.chat(turn('ROBIN', thread, { history }));
      for (const thread of ['a', 'b', 'c'])
        expect(await say(thread)).toBe(PERSONA_SIGNATURES.ROBIN);
      expect(own.stats().threads[robin]).toEqual(['b', 'c']);
      expect(own.stats().threadEvictions).toBe(1);
      // b still holds its prompt; a lost its sequence and is evaluated in full again.
      const kept = await evaluatedFor(own, turn('ROBIN', 'b', { history }));
      const evicted = await evaluatedFor(own, turn('ROBIN', 'a', { history }));
      expect(kept).toBeLessThan(evicted / 4);
      expect(own.stats().threads[robin]).toEqual(['b', 'a']);
    });
  });

  it("reuses a chat's prompt for a method on the same prompt, and back", async () => {
    await withMind({ sequences: 1 }, async (own) => {
      const prompt = genesisPrompt();
      const asChat = { systemPrompt: prompt.system, history: [], text: prompt.user };
      const full = await evaluatedFor(own, asChat);
      const evaluated = async (work: () => Promise<unknown>): Promise<number> => {
        const before = own.stats().tokens.evaluated;
        await work();
        return own.stats().tokens.evaluated - before;
      };
      // At most the answer's tokens: the prompt is in the sequence already.
      expect(await evaluated(() => own.generateMethod(prompt))).toBeLessThan(full / 10);
      expect(await evaluatedFor(own, asChat)).toBeLessThan(full / 10);
    });
  });

  it('queues turns when more threads than sequences speak at once', async () => {
    await withMind({ sequences: 2 }, async (own) => {
      const threads = ['q1', 'q2', 'q3', 'q4', 'q5'];
      const replies = await Promise.all(threads.map((thread) => own.chat(turn('BRICK', thread))));
      expect(replies).toEqual(threads.map(() => PERSONA_SIGNATURES.BRICK));
      expect(own.stats().threads[`${files.adapters.BRICK}@1`]).toHaveLength(2);
    });
  });

  it('lets a turn waiting for a sequence be cancelled, and the sequence serves the next', async () => {
    await withMind({ sequences: 1 }, async (own) => {
      const cancel = new AbortController();
      // Asked for only once the first holds the one sequence: two turns asked for together
      // may reach it in either order (each checks its adapter file first).
      let waiting: Promise<string> | undefined;
      const first = own.chat(
        turn('BABS', 'w1', {
          onPartial: () => {
            if (waiting !== undefined) return;
            waiting = own.chat(turn('BABS', 'w2', { signal: cancel.signal }));
            waiting.catch(() => {}); // its refusal is read below, once the first is done
            cancel.abort();
          },
        }),
      );
      expect(await first).toBe(PERSONA_SIGNATURES.BABS);
      expect(waiting).toBeDefined();
      expect((await rejection(waiting!)).code).toBe('aborted');
      expect(await own.chat(turn('BABS', 'w3'))).toBe(PERSONA_SIGNATURES.BABS);
      expect(own.stats().threads[`${files.adapters.BABS}@1`]).toEqual(['w3']);
    });
  });
});
