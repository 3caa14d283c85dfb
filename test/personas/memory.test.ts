/**
 * Memory people own, through the real Bot with the forged model and three people: ann keeps
 * memories, bob and cat share her channel or have their own, and nobody but ann (and
 * admins) ever sees what she asked to keep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, Mind, Prompt } from '../../src/core/mind/index.ts';
import type { Send } from '../../src/core/protocol.ts';
import { PERSONA_NAMES } from '../../src/personas/names.ts';
import { readMemories } from '../../src/personas/memory/notebook.ts';
import { replyToPlainText } from '../support/reply-text.ts';
import { countReads, loadTinyMind, loraFolder, openPersonaCore } from '../support/personas.ts';

let mind: Mind;
beforeAll(async () => {
  mind = await loadTinyMind();
});
afterAll(() => mind?.close());

const person = (id: string, channel = 'shared'): Partial<Send> => ({
  sender: { id, name: id, isAdmin: false },
  channel,
  adminChannel: false,
});
const ann = person('ann');
const bob = person('bob');
const cat = person('cat', 'cats-own');

/** A core whose mind keeps every chat request it is given. */
async function memoryCore(
  memory: { keep?: number; recallTokens?: number; notice?: boolean } = {},
  historyTurns?: number,
  /** The model's choice of a sentence to keep, scripted; the forged model's own otherwise. */
  choose?: (options: readonly string[]) => string,
) {
  const requests: ChatRequest[] = [];
  const choices: Array<readonly string[]> = [];
  const core = await openPersonaCore({
    loraDir: await loraFolder(),
    conversation: {
      mind: {
        chat: (request: ChatRequest) => {
          requests.push(request);
          return mind.chat(request);
        },
        choose: <const T extends string>(options: readonly T[], prompt: Prompt | string) => {
          choices.push(options);
          return choose === undefined
            ? mind.choose(options, prompt)
            : Promise.resolve(choose(options) as T);
        },
      },
      memory,
      ...(historyTurns === undefined ? {} : { historyTurns }),
    },
  });
  /** The text the mind was given for the last turn of `text`. */
  const prompted = async (text: string, as: Partial<Send>) => {
    const reply = await core.say(text, as);
    expect(reply.status, replyToPlainText(reply)).toBe('ok');
    return requests[requests.length - 1]!.text;
  };
  const text = async (words: string, as: Partial<Send>) =>
    replyToPlainText(await core.say(words, as));
  return { ...core, prompted, text, choices };
}

describe('memory a person owns', () => {
  it('keeps a memory with notice, lists it, recalls it into the prompt, forgets it and undoes that', async () => {
    const core = await memoryCore();
    const kept = await core.say('remember that I like green tea and hate coffee.', ann);
    expect(kept.status).toBe('ok');
    expect(kept.tx).toBeTypeOf('number');
    expect(replyToPlainText(kept)).toContain(
      "I'll remember that: “I like green tea and hate coffee” (memory 1).",
    );
    expect(await core.text('Robin, remember that my cat is called Biscuit', ann)).toContain(
      '“my cat is called Biscuit” (memory 2)',
    );

    const listed = await core.text('what do you remember about me?', ann);
    expect(listed).toMatch(
      /1\. I like green tea and hate coffee \(told BAT OS, \d{4}-\d\d-\d\d\)/u,
    );
    expect(listed).toMatch(/2\. my cat is called Biscuit \(told ROBIN, /u);

    // Recalled into the prompt of any persona ann talks to, only what matches her message.
    const prompt = await core.prompted('Brick, should I make tea or coffee?', ann);
    expect(prompt).toContain('- I like green tea and hate coffee');
    expect(prompt).not.toContain('Biscuit');
    expect(prompt.endsWith('Their message:\nshould I make tea or coffee?')).toBe(true);
    // A message that matches nothing she said is given as it was.
    expect(await core.prompted('Robin, how are you?', ann)).toBe('how are you?');

    const forgot = await core.say('forget tea', ann);
    expect(replyToPlainText(forgot)).toBe(
      'Forgot “I like green tea and hate coffee”. `undo` brings it back.',
    );
    expect(await core.text('what do you remember about me?', ann)).not.toContain('tea');
    expect(await core.prompted('Brick, tea or coffee?', ann)).toBe('tea or coffee?');

    expect(await core.text('undo', ann)).toBe(`Undid transaction ${forgot.tx}.`);
    // Back where it was: first.
    expect(await core.text('what do you remember about me?', ann)).toContain(
      '1. I like green tea and hate coffee',
    );
    expect(await core.prompted('Brick, tea or coffee?', ann)).toContain(
      '- I like green tea and hate coffee',
    );

    // Undoing the keeping itself leaves nothing to recall either.
    expect(await core.text('undo', ann)).toMatch(/^Undid transaction \d+\.$/u);
    expect(await core.text('undo', ann)).toMatch(/^Undid transaction \d+\.$/u);
    expect(await core.prompted('Brick, tea or coffee?', ann)).toBe('tea or coffee?');
  });

  it('never shows one person’s memory to another: not in any thread, not through any persona', async () => {
    const core = await memoryCore();
    await core.ok('remember that my locker code is 4711 for the gym', ann);
    const oid = (await core.uvm.readCommitted((tx) => readMemories(tx, 'console:ann')))[0]!.oid;

    for (const someone of [bob, cat, person('bob', 'elsewhere')]) {
      expect(await core.text('what do you remember about me?', someone)).toBe(
        'I remember nothing about you. Say `remember that …` and I will, and tell you so.',
      );
      for (const persona of PERSONA_NAMES) {
        const prompt = await core.prompted(`${persona}, what is the gym locker code?`, someone);
        expect(prompt).not.toContain('4711');
      }
      expect(await core.prompted('what is the locker code for the gym?', someone)).not.toContain(
        '4711',
      );
      expect((await core.say('forget everything', someone)).status).toBe('error');
      // The object itself is hers, private: nobody else may read it by its number.
      const peek = await core.say(`#${oid} describe`, someone);
      expect(peek.status).toBe('refused');
      expect(replyToPlainText(peek)).not.toContain('4711');
    }
    // In the channel she shares with bob, bob's turns never recall her memory either...
    expect(await core.prompted('Robin, gym locker code?', bob)).toBe('gym locker code?');
    // ...while her own do, wherever she speaks.
    expect(await core.prompted('Robin, gym locker code?', person('ann', 'anns-dm'))).toContain(
      '4711',
    );
    expect(await core.text('what do you remember about me?', ann)).toContain('4711');
  });

  it('lists memories only where nobody else reads the reply: in a channel it says how many', async () => {
    const core = await memoryCore();
    const dee = (reach: Send['reach']): Partial<Send> => ({
      platform: 'slack',
      sender: { id: 'U_DEE', name: 'dee', isAdmin: false },
      channel: reach === 'direct' ? 'D_DEE' : 'C_TEAM',
      adminChannel: false,
      reach,
    });
    await core.ok('remember that my locker code is 4711', dee('mention'));
    const inChannel = await core.text('what do you remember about me?', dee('mention'));
    expect(inChannel).toMatch(/^I remember 1 thing about you\. .*direct message/u);
    expect(inChannel).not.toContain('4711');
    expect(await core.text('what do you remember about me?', dee('direct'))).toContain(
      '1. my locker code is 4711',
    );
  });

  it('keeps at most the retention setting: the oldest go, and the notice says which', async () => {
    const core = await memoryCore({ keep: 2 });
    await core.ok('remember that I was born in Lisbon', cat);
    await core.ok('remember that I play the cello', cat);
    const third = await core.text('remember that I run on Tuesdays', cat);
    expect(third).toContain('“I run on Tuesdays” (memory 2)');
    expect(third).toContain(
      'I keep at most 2 memories for each person (BATOS_MEMORY_KEEP), so I forgot the oldest: “I was born in Lisbon”.',
    );
    const listed = await core.text('what do you remember about me?', cat);
    expect(listed).not.toContain('Lisbon');
    expect(listed).toContain('1. I play the cello');
    expect(listed).toContain('2. I run on Tuesdays');
    expect(await core.prompted('Babs, where was I born? Lisbon?', cat)).toBe(
      'where was I born? Lisbon?',
    );
  });

  it('forgets by number and everything; refuses what names nothing, and changes nothing then', async () => {
    const core = await memoryCore();
    for (const fact of ['I like jazz', 'I like jam', 'I live in Oslo'])
      await core.ok(`remember that ${fact}`, bob);
    const ambiguous = await core.say('forget I like', bob);
    expect(ambiguous.status).toBe('error');
    expect(replyToPlainText(ambiguous)).toContain('“I like” is in 2 of your memories');
    const none = await core.say('forget 7', bob);
    expect(replyToPlainText(none)).toContain('There is no memory 7: I remember 3 things about you');
    expect(await core.text('forget 2', bob)).toBe('Forgot “I like jam”. `undo` brings it back.');
    expect(await core.text('forget everything', bob)).toBe(
      'Forgot all 2 of your memories. `undo` brings them back.',
    );
    expect(await core.text('what do you remember about me?', bob)).toContain(
      'I remember nothing about you',
    );
    const long = await core.say(`remember that ${'x'.repeat(501)}`, bob);
    expect(long.status).toBe('error');
    expect(replyToPlainText(long)).toContain('a memory holds at most 500');
  });

  it('recalls the thread’s older turns that match, once the prompt’s window has left them', async () => {
    const core = await memoryCore({ notice: false }, 4);
    await core.ok('Robin, my sister Maria visits in June', ann);
    await core.ok('Robin, ok', ann);
    const prompt = await core.prompted('Robin, when does Maria visit?', ann);
    expect(prompt).toBe(
      'Said earlier in this conversation:\n- console:ann: my sister Maria visits in June\nTheir message:\nwhen does Maria visit?',
    );
    // Another thread's turns are never this thread's to recall.
    expect(await core.prompted('Robin, when does Maria visit?', person('ann', 'other'))).toBe(
      'when does Maria visit?',
    );
  });

  it('reads the image once per memory message, as for any message', async () => {
    const core = await memoryCore();
    const readsFor = countReads(core);
    for (const text of [
      'remember that I like rain',
      'what do you remember about me?',
      'Robin, is it raining?',
      'forget rain',
    ])
      expect(await readsFor(text, ann), text).toBe(1);
  });

  it('keeps the one sentence the model chooses from a turn, and says so; never one it was not offered', async () => {
    const core = await memoryCore({}, undefined, (options) => options[2] ?? 'none');
    const reply = await core.say(
      'Robin, I live in Porto. My dog is called Rui! What should we do today?',
      ann,
    );
    // Only her sentences about herself were offered, with none; not the question.
    expect(core.choices).toEqual([['none', 'I live in Porto', 'My dog is called Rui']]);
    expect(replyToPlainText(reply)).toContain(
      "(I'll remember that: “My dog is called Rui” (memory 1). Only you and the admins can read it; `forget 1` or `undo` takes it back.)",
    );
    expect(await core.text('what do you remember about me?', ann)).toContain(
      '1. My dog is called Rui (told ROBIN, ',
    );
    // Said again, it is not kept twice; a turn with nothing about her asks the model nothing.
    await core.ok('Robin, My dog is called Rui and I live in Porto.', ann);
    await core.ok('Robin, how are you today?', ann);
    expect(core.choices).toHaveLength(2);
    expect(await core.text('what do you remember about me?', ann)).not.toContain('2.');
    // The keeping is hers to undo.
    expect(await core.text('undo', ann)).toMatch(/^Undid transaction \d+\.$/u);
    expect(await core.text('what do you remember about me?', ann)).toContain('nothing');
  });

  it('keeps nothing the model passes over, or when noticing is off', async () => {
    const passing = await memoryCore({}, undefined, () => 'none');
    expect(replyToPlainText(await passing.say('Robin, I live in Porto.', ann))).not.toContain(
      'remember',
    );
    expect(await passing.text('what do you remember about me?', ann)).toContain('nothing');
    const off = await memoryCore({ notice: false }, undefined, (options) => options[1]!);
    await off.ok('Robin, I live in Porto.', ann);
    expect(off.choices).toEqual([]);
    // With the forged model's own choice, the turn still answers whatever it chooses.
    const forged = await memoryCore();
    const reply = await forged.say('Robin, I live in Porto.', ann);
    expect(reply.status).toBe('ok');
    expect(forged.choices).toEqual([['none', 'I live in Porto']]);
  });

  it('recalls within the token budget', async () => {
    const core = await memoryCore({ recallTokens: 40 });
    await core.ok('remember that my favourite colour is a deep ocean blue', ann);
    await core.ok(`Robin, remember that the colour of my bike is ${'very '.repeat(30)}red`, ann);
    const prompt = await core.prompted('Robin, what colour should I paint the door?', ann);
    expect(prompt).toContain('deep ocean blue');
    expect(prompt).not.toContain('bike');
    expect(
      Math.ceil((prompt.length - 'what colour should I paint the door?'.length) / 4),
    ).toBeLessThanOrEqual(40);
  });
});
