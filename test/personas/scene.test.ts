/**
 * A scene: two personas in one thread, through the real Bot with the forged model. Each
 * answers in turn, the second hearing the first, and the thread records who said what.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, Mind } from '../../src/core/mind/index.ts';
import type { Send } from '../../src/core/protocol.ts';
import { readThread, threadKey } from '../../src/personas/index.ts';
import { parseScene } from '../../src/personas/scene.ts';
import { PERSONA_CODEX } from '../../src/personas/codex.ts';
import { PERSONA_SIGNATURES } from '../../tools/forge/index.ts';
import { loadTinyMind, loraFolder, openPersonaCore } from '../support/personas.ts';

let mind: Mind;
beforeAll(async () => {
  mind = await loadTinyMind();
});
afterAll(() => mind?.close());

const personas = PERSONA_CODEX.map((p) => ({ name: p.name, aliases: p.aliases }));

describe('reading a scene', () => {
  it.each([
    [
      'ROBIN and BRICK, how should we plan the launch?',
      ['ROBIN', 'BRICK'],
      'how should we plan the launch?',
    ],
    ['robin & babs: any news?', ['ROBIN', 'BABS'], 'any news?'],
    ['Robin and Brick and Alfred, thoughts?', ['ROBIN', 'BRICK', 'ALFRED'], 'thoughts?'],
    ['@brick and @robin?', ['BRICK', 'ROBIN'], ''],
  ])('%j is a scene of %j', (text, names, rest) => {
    expect(parseScene(text, personas)).toEqual({ personas: names, rest });
  });

  it.each([
    'Robin and brick walls are heavy',
    'ROBIN, how are you?',
    'Robin and the others, hello',
    'ROBIN and ROBIN, hello',
  ])('%j is not', (text) => {
    expect(parseScene(text, personas)).toBeUndefined();
  });
});

describe('a scene in one thread', () => {
  it('has each persona answer in turn, hearing the ones before, and keeps who said what', async () => {
    const requests: ChatRequest[] = [];
    const core = await openPersonaCore({
      loraDir: await loraFolder(),
      conversation: {
        mind: {
          chat: (request: ChatRequest) => (requests.push(request), mind.chat(request)),
          choose: mind.choose.bind(mind),
        },
      },
    });
    const where = { platform: 'discord', channel: 'C1', thread: 'T1' } as const;
    const say = (who: string, text: string) =>
      core.bot.handle({
        ...where,
        sender: { id: who, name: who, isAdmin: false },
        text,
        mentions: [],
        adminChannel: false,
        reach: 'thread',
      } satisfies Send);

    const partials: string[] = [];
    const reply = await core.bot.handle(
      {
        ...where,
        sender: { id: 'ann', name: 'ann', isAdmin: false },
        text: 'ROBIN and BRICK, how should we plan the launch?',
        mentions: [],
        adminChannel: false,
        reach: 'mention',
      },
      { partial: (soFar) => partials.push(soFar) },
    );
    expect(reply).toMatchObject({
      status: 'ok',
      parts: [
        { kind: 'text', text: `ROBIN: ${PERSONA_SIGNATURES.ROBIN}` },
        { kind: 'text', text: `BRICK: ${PERSONA_SIGNATURES.BRICK}` },
      ],
      tx: expect.any(Number),
    });
    expect(reply.persona).toBeUndefined();
    expect(partials.at(-1)).toBe(
      `ROBIN: ${PERSONA_SIGNATURES.ROBIN}\n\nBRICK: ${PERSONA_SIGNATURES.BRICK}`,
    );
    // Each spoke with its own voice; BRICK heard ROBIN's answer.
    expect(requests.map((r) => r.systemPrompt)).toEqual(
      ['ROBIN', 'BRICK'].map((name) => PERSONA_CODEX.find((p) => p.name === name)!.voice),
    );
    expect(requests[0]!.text).toBe('how should we plan the launch?');
    expect(requests[1]!.text).toBe(
      `how should we plan the launch?\n\n(ROBIN said: ${PERSONA_SIGNATURES.ROBIN})`,
    );

    // Another person carries on in the thread with one of them, who sees the whole scene.
    await say('bob', 'BRICK, and the budget?');
    expect(requests[2]!.history.map((t) => t.text)).toEqual([
      'how should we plan the launch?',
      PERSONA_SIGNATURES.ROBIN,
      PERSONA_SIGNATURES.BRICK,
    ]);
    const thread = await core.uvm.readCommitted((tx) => readThread(tx, threadKey(where)));
    expect(thread.map((t) => [t.role, t.who, t.persona, t.text])).toEqual([
      ['user', 'discord:ann', 'ROBIN and BRICK', 'how should we plan the launch?'],
      ['assistant', 'ROBIN', 'ROBIN', PERSONA_SIGNATURES.ROBIN],
      ['assistant', 'BRICK', 'BRICK', PERSONA_SIGNATURES.BRICK],
      ['user', 'discord:bob', 'BRICK', 'and the budget?'],
      ['assistant', 'BRICK', 'BRICK', PERSONA_SIGNATURES.BRICK],
    ]);
  });
});
