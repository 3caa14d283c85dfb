import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, Mind } from '../../src/core/mind/index.ts';
import type { Reply } from '../../src/core/protocol.ts';
import { replyToPlainText } from '../support/reply-text.ts';
import {
  DISPLAY_YOURSELF_SOURCE,
  PERSONA_SIGNATURES,
  ROUTER_CHOICE,
  type ForgedFiles,
} from '../../tools/forge/index.ts';
import { type PersonaName } from '../../src/personas/names.ts';
import { readThread, threadKey, threadObject } from '../../src/personas/index.ts';
import { forged } from '../support/forged.ts';
import { countReads, loadTinyMind, loraFolder, openPersonaCore } from '../support/personas.ts';

let files: ForgedFiles;
let mind: Mind;
beforeAll(async () => {
  files = await forged();
  mind = await loadTinyMind();
});
afterAll(() => mind?.close());

/** The mind, with every chat request it is given kept for inspection. */
function spiedMind() {
  const requests: ChatRequest[] = [];
  return {
    requests,
    mind: {
      chat: (request: ChatRequest) => {
        requests.push(request);
        return mind.chat(request);
      },
      choose: mind.choose.bind(mind),
    } satisfies Pick<Mind, 'chat' | 'choose'>,
  };
}

const lastText = (reply: Reply): string => {
  const last = reply.parts[reply.parts.length - 1];
  return last?.kind === 'text' ? last.text : '';
};

async function speakingCore(
  options: { historyTurns?: number; chatMind?: Pick<Mind, 'chat' | 'choose'> } = {},
) {
  return openPersonaCore({
    loraDir: await loraFolder(),
    conversation: {
      mind: options.chatMind ?? mind,
      ...(options.historyTurns ? { historyTurns: options.historyTurns } : {}),
    },
  });
}

describe('speaking with a persona', () => {
  it.each<[string, PersonaName]>([
    ['ALFRED, how is the house?', 'ALFRED'],
    ['brick: how would you split this service?', 'BRICK'],
    ['@babs find what we said about the release last week', 'BABS'],
    ['ROBIN what do you make of that?', 'ROBIN'],
    ['Barbara, any news?', 'BABS'],
    ['hey robin, are you there?', 'ROBIN'],
  ])('%j is answered by %s through its adapter', async (text, persona) => {
    const core = await speakingCore();
    const reply = await core.say(text);
    expect(reply).toMatchObject({
      status: 'ok',
      persona,
      parts: [{ kind: 'text', text: PERSONA_SIGNATURES[persona] }],
    });
  });

  it('switches back and forth, reusing one context per persona', async () => {
    const core = await speakingCore();
    const order: PersonaName[] = ['ROBIN', 'BRICK', 'ROBIN', 'ALFRED', 'BABS', 'ROBIN', 'BRICK'];
    for (const persona of order)
      expect(lastText(await core.say(`${persona}, a word?`))).toBe(PERSONA_SIGNATURES[persona]);
    const stats = mind.stats();
    for (const persona of ['robin', 'brick', 'babs', 'alfred'])
      expect(
        stats.contexts.filter((key) => key.startsWith(join(core.loraDir, `${persona}.gguf`))),
      ).toHaveLength(1);
    expect(stats.evictions).toBe(0);
  });

  it('evicts the least recently used context under a small memory budget', async () => {
    const bytes = mind.stats().bytesPerContext;
    const small = await loadTinyMind({ memoryBudgetBytes: Math.floor(bytes * 1.5) });
    try {
      const core = await speakingCore({ chatMind: small });
      for (const persona of ['ROBIN', 'BRICK', 'ROBIN', 'ALFRED'] as const)
        expect(lastText(await core.say(`${persona}, still with me?`))).toBe(
          PERSONA_SIGNATURES[persona],
        );
      expect(small.stats().contexts).toHaveLength(1);
      expect(small.stats().evictions).toBe(3);
    } finally {
      await small.close();
    }
  });

  it('streams the reply and keeps the thread in the image, trimmed oldest first in steps', async () => {
    const core = await speakingCore({ historyTurns: 4 });
    const partials: string[] = [];
    await core.bot.handle(
      {
        platform: 'console',
        sender: { id: 'ann', name: 'ann', isAdmin: false },
        channel: 'c1',
        text: 'Robin, one',
        mentions: [],
        adminChannel: false,
      },
      { partial: (soFar) => partials.push(soFar) },
    );
    expect(partials.length).toBeGreaterThan(1);
    expect(partials[partials.length - 1]).toBe(PERSONA_SIGNATURES.ROBIN);
    await core.ok('Robin, two', { channel: 'c1' });
    await core.ok('Robin, elsewhere', { channel: 'c2' });
    const c1 = () =>
      core.uvm.readCommitted((tx) =>
        readThread(tx, threadKey({ platform: 'console', channel: 'c1' })),
      );
    // Six turns do not fit four: the thread drops to two, the half, at once...
    await core.ok('Brick, three', { channel: 'c1' });
    expect((await c1()).map((t) => [t.role, t.persona, t.text])).toEqual([
      ['user', 'BRICK', 'three'],
      ['assistant', 'BRICK', PERSONA_SIGNATURES.BRICK],
    ]);
    // ...and then grows again, keeping its beginning (and its prompt's cache) for a while.
    await core.ok('Robin, four', { channel: 'c1' });
    expect((await c1()).map((t) => [t.role, t.persona, t.text])).toEqual([
      ['user', 'BRICK', 'three'],
      ['assistant', 'BRICK', PERSONA_SIGNATURES.BRICK],
      ['user', 'ROBIN', 'four'],
      ['assistant', 'ROBIN', PERSONA_SIGNATURES.ROBIN],
    ]);
    // One object per thread, each the system's and private, found by the system alone.
    const threads = await core.uvm.readCommitted((tx) =>
      ['c1', 'c2', 'c3'].map((channel) =>
        threadObject(tx, threadKey({ platform: 'console', channel })),
      ),
    );
    expect(threads[0]).toBeTypeOf('number');
    expect(threads[1]).toBeTypeOf('number');
    expect(threads[0]).not.toBe(threads[1]);
    expect(threads[2]).toBeUndefined();
    expect(await core.ok(`#${threads[0]} describe`)).toMatch(/owner system · flags ""/);
  });

  it('answers people in different threads at once, each thread in a sequence of its own', async () => {
    const core = await speakingCore();
    const channels = ['t1', 't2', 't3', 't4'];
    const send = (channel: string, text: string) =>
      core.bot.handle(
        {
          platform: 'console',
          sender: { id: `user-${channel}`, name: channel, isAdmin: false },
          channel,
          text,
          mentions: [],
          adminChannel: false,
        },
        {},
      );
    const replies = await Promise.all(channels.map((channel) => send(channel, 'Robin, hi')));
    expect(replies.map(lastText)).toEqual(channels.map(() => PERSONA_SIGNATURES.ROBIN));
    const keys = channels.map((channel) => threadKey({ platform: 'console', channel }));
    expect(mind.stats().threads[`${join(core.loraDir, 'robin.gguf')}@1`]).toEqual(
      expect.arrayContaining(keys),
    );
    for (const key of keys)
      expect(
        (await core.uvm.readCommitted((tx) => readThread(tx, key))).map((t) => t.text),
      ).toEqual(['hi', PERSONA_SIGNATURES.ROBIN]);
  });

  it("evaluates only what is new in a thread's next turn, whatever other threads say", async () => {
    const core = await speakingCore();
    const evaluated = async (text: string, channel: string): Promise<number> => {
      const before = mind.stats().tokens.evaluated;
      expect(lastText(await core.say(text, { channel }))).toBe(PERSONA_SIGNATURES.BABS);
      return mind.stats().tokens.evaluated - before;
    };
    const question = `Babs, ${'what did we decide about the release, and when? '.repeat(12)}`;
    const first = await evaluated(question, 'reuse');
    await evaluated('Babs, something else entirely', 'elsewhere');
    const second = await evaluated('Babs, and who signs it off?', 'reuse');
    // The voice, the long first turn and its reply are still in the thread's own sequence.
    expect(second).toBeLessThan(first / 4);
  });

  it("gives the model the persona's voice from the image and the thread's history", async () => {
    const spy = spiedMind();
    const core = await speakingCore({ chatMind: spy.mind });
    await core.ok('alfred setSlot voice "You are ALFRED. Be brief."');
    await core.ok('Alfred, first');
    await core.ok('Alfred, second');
    const request = spy.requests[1]!;
    expect(request).toMatchObject({
      systemPrompt: 'You are ALFRED. Be brief.',
      thread: threadKey({ platform: 'console', channel: 'console' }),
      text: 'second',
      history: [
        { role: 'user', text: 'first' },
        { role: 'assistant', text: PERSONA_SIGNATURES.ALFRED },
      ],
      adapter: { path: join(core.loraDir, 'alfred.gguf'), scale: 1 },
    });
  });

  it('speaks in voice only when the adapter file is missing', async () => {
    const core = await speakingCore();
    await rm(join(core.loraDir, 'babs.gguf'));
    expect(await core.say('Babs, what do you know?')).toMatchObject({
      status: 'ok',
      persona: 'BABS',
      parts: [{ kind: 'text', text: DISPLAY_YOURSELF_SOURCE }],
    });
    expect(await core.ok('babs describe')).toMatch(/Speaks in voice only: .*babs\.gguf not found/u);
  });

  it('answers a malformed adapter with a clear error, changing nothing', async () => {
    const core = await speakingCore();
    await copyFile(files.malformed.adapterIntegerAlpha, join(core.loraDir, 'robin.gguf'));
    const before = await core.image.history({ limit: 1 });
    const reply = await core.say('Robin, are you well?');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(
      /ROBIN could not answer, and nothing was changed: .*robin\.gguf/u,
    );
    expect(await core.image.history({ limit: 1 })).toEqual(before);
    // The process is alive and the other personas still speak.
    expect(lastText(await core.say('Brick, and you?'))).toBe(PERSONA_SIGNATURES.BRICK);
  });
});

describe('free text addressed to no one', () => {
  it('goes by rule when the case is obvious, and says so', async () => {
    const core = await speakingCore();
    const reply = await core.say("what's the weather of the soul today?");
    expect(reply).toMatchObject({ status: 'ok', persona: 'ROBIN' });
    expect(replyToPlainText(reply)).toBe(
      `(routed to ROBIN: mentions "soul")\n${PERSONA_SIGNATURES.ROBIN}`,
    );
  });

  it('is chosen by the model under the grammar otherwise', async () => {
    const core = await speakingCore();
    const reply = await core.say('Tell me a story about the sea.');
    expect(reply).toMatchObject({ status: 'ok', persona: ROUTER_CHOICE });
    expect(replyToPlainText(reply)).toBe(
      `(routed to ${ROUTER_CHOICE} by the model)\n${PERSONA_SIGNATURES[ROUTER_CHOICE]}`,
    );
  });

  it('leaves sends, commands and lone selectors to the bot', async () => {
    const core = await speakingCore();
    expect(await core.ok('genesis setSlot color "blue"')).toBe('blue');
    expect(await core.ok('alfred slotNames')).toContain('voice');
    expect(await core.ok('help')).toContain('undo');
    expect((await core.say('@nosuchobject frobnicate')).status).toBe('error');
  });
});

describe('the path of a message', () => {
  it('reads the image once per message, whatever the personas make of it', async () => {
    const core = await speakingCore();
    const readsFor = countReads(core);
    expect(await readsFor('Robin, hello')).toBe(1); // a turn, with the thread read then
    expect(await readsFor('Robin, and again')).toBe(1); // the thread now has turns
    expect(await readsFor('hi')).toBe(1); // routed, then a turn
    expect(await readsFor('alfred slotNames')).toBe(1); // a send the persona understands
    expect(await readsFor('ALFRED, audit persistence')).toBe(1); // the audit, as a send
    expect(await readsFor('genesis slotNames')).toBe(1); // a send for the bot
  });

  it("performs a persona's send on the bot's one send path: the reply says whose it is", async () => {
    const core = await speakingCore();
    const audit = await core.say('ALFRED, audit persistence');
    expect(audit).toMatchObject({ status: 'ok', persona: 'ALFRED' });
    expect(replyToPlainText(audit)).toContain('good order');
    const send = await core.say('alfred slotNames');
    expect(send.persona).toBeUndefined();
    expect(replyToPlainText(send)).toContain('voice');
  });
});

describe('without a model', () => {
  it('says the persona cannot speak and how to get a model, changing nothing', async () => {
    const core = await openPersonaCore({
      conversation: { noModelReason: 'To get one, run "npm run models:pull".' },
    });
    const before = await core.image.history({ limit: 1 });
    for (const text of ['Robin, hello?', 'what is the meaning of all this?']) {
      const reply = await core.say(text);
      expect(reply.status).toBe('error');
      expect(replyToPlainText(reply)).toMatch(
        /ROBIN cannot speak without a model\. To get one, run "npm run models:pull"\./u,
      );
    }
    expect(await core.image.history({ limit: 1 })).toEqual(before);
    expect(await core.ok('ALFRED, audit persistence')).toContain('good order');
  });
});
