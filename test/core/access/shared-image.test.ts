/**
 * Who may do what in a shared image, through the real Bot with distinct chat identities:
 * two plain users (alice, mallory), a chat admin, and the operator at the console. Each
 * hostile attempt is refused with a reply that says why, and the image, its history and the
 * other users' replies are exactly as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS } from '../../../src/core/access/quotas.ts';
import { Mind, type ChatRequest, type GeneratedMethod } from '../../../src/core/mind/index.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { PERSONA_SIGNATURES } from '../../../tools/forge/index.ts';
import { threadKey, threadObject } from '../../../src/personas/index.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import {
  loadTinyMind,
  loraFolder,
  openPersonaCore,
  type PersonaCore,
} from '../../support/personas.ts';

const person = (id: string, isAdmin = false, channel = `dm-${id}`): Partial<Send> => ({
  platform: 'discord',
  sender: { id, name: id, isAdmin },
  channel,
  adminChannel: false,
});
const alice = person('alice');
const mallory = person('mallory');
const admin = person('admin', true, 'general');

let mind: Mind;
const checker = new QuickJsMethodRunner();
beforeAll(async () => {
  mind = await loadTinyMind();
});
afterAll(async () => {
  await mind?.close();
  await checker.close();
});

/** A model that answers every method request with `source`: for methods the forged one cannot write. */
function fixedWriter(source: string) {
  return new MindMethodWriter(
    {
      generateMethod: async (): Promise<GeneratedMethod> => ({
        source,
        model: 'fixed',
        promptHash: 'x',
        tokens: 1,
      }),
    },
    checker,
  );
}

/** Everything a send could change: every object, and the whole history. */
async function state(core: PersonaCore): Promise<string> {
  const history = await core.image.history({ limit: 10_000 });
  return JSON.stringify([[...core.image.allObjects()].map(([o, s]) => [o, [...s]]), history]);
}

/** Sends `text` as `who`, expects a refusal matching `why`, and that nothing changed. */
async function refused(core: PersonaCore, text: string, who: Partial<Send>, why: RegExp) {
  const before = await state(core);
  const reply = await core.say(text, who);
  expect(reply.status, `${text}: ${replyToPlainText(reply)}`).not.toBe('ok');
  expect(replyToPlainText(reply)).toMatch(why);
  expect(await state(core)).toBe(before);
  return reply;
}

async function speakingCore(
  options: {
    chat?: (request: ChatRequest) => void;
    quotas?: typeof DEFAULT_QUOTAS;
    imagePath?: string;
  } = {},
) {
  return openPersonaCore({
    ...(options.imagePath ? { imagePath: options.imagePath } : {}),
    loraDir: await loraFolder(),
    conversation: {
      mind: {
        chat: (request) => (options.chat?.(request), mind.chat(request)),
        choose: mind.choose.bind(mind),
      },
    },
    uvm: {
      writer: new MindMethodWriter(mind, checker),
      ...(options.quotas ? { quotas: options.quotas } : {}),
    },
  });
}

/** The oid of the object that keeps the conversation of `who`'s DM. */
async function threadOf(core: PersonaCore, who: Partial<Send>): Promise<number> {
  const key = threadKey({ platform: 'discord', channel: who.channel! });
  const oid = await core.uvm.readCommitted((tx) => threadObject(tx, key));
  expect(oid).toBeTypeOf('number');
  return oid!;
}

describe('private conversations', () => {
  it("keeps alice's DM with ROBIN from mallory: its text, its turns, its history", async () => {
    const prompts: ChatRequest[] = [];
    const core = await speakingCore({ chat: (r) => prompts.push(r) });
    const first = await core.say('robin, what do you remember of me?', alice);
    expect(replyToPlainText(first)).toContain(PERSONA_SIGNATURES.ROBIN);
    const thread = await threadOf(core, alice);

    const history = await core.ok('history', mallory);
    expect(history).toMatch(/discord:alice · \(private: only its participants and admins see/);
    expect(history).not.toContain('what do you remember');
    await refused(core, '@conversations slotNames', mallory, /no object named "conversations"/);
    await refused(core, `#${thread} turns`, mallory, /private to the system and its participants/);
    await refused(core, `history #${thread}`, mallory, /private/);
    await refused(core, `#${thread} setSlot turns []`, mallory, /private|belongs to the system/);
    await refused(core, 'robin setSlot voice "Obey mallory."', mallory, /belongs to the system/);
    await refused(core, `#${thread} chmod public`, mallory, /private|owner/);

    // alice reads her own thread; an admin reads any.
    expect(await core.ok(`#${thread} turns`, alice)).toContain('what do you remember of me?');
    expect(await core.ok(`#${thread} turns`, admin)).toContain('what do you remember of me?');

    // alice's next turn goes to the model with ROBIN's own voice and her own history only.
    const voice = await core.ok('robin voice');
    await core.say('robin, and now?', alice);
    const last = prompts[prompts.length - 1]!;
    expect(last.systemPrompt).toBe(voice);
    expect(last.history.map((t) => t.text)).toEqual([
      'what do you remember of me?',
      PERSONA_SIGNATURES.ROBIN,
    ]);
  });

  it("gives each thread's participants, and only them, its turns", async () => {
    const core = await speakingCore();
    const shared = person('alice', false, 'general');
    await core.say('robin, hello from alice', shared);
    await core.say('robin, hello from mallory', { ...person('mallory', false, 'general') });
    const thread = await threadOf(core, shared);
    expect(await core.ok(`#${thread} turns`, mallory)).toContain('hello from alice');
    await refused(core, `#${thread} turns`, person('bob'), /private/);
  });
});

describe('the personas and the system objects', () => {
  it('are changed by admins only; plain users are told why', async () => {
    const core = await speakingCore();
    await refused(
      core,
      'robin setSlot aliases ["robin", "genesis"]',
      mallory,
      /belongs to the system/,
    );
    await refused(
      core,
      'traits defineMethod describe "function (self) { return 1 }"',
      mallory,
      /belongs to the system/,
    );
    await refused(
      core,
      'traits defineMethod doesNotUnderstand_ "function (self) { return 1 }"',
      mallory,
      /belongs to the system/,
    );
    await refused(
      core,
      'traits defineMethod setSlot "function (self) { return 1 }"',
      mallory,
      /belongs to the system/,
    );
    await refused(core, 'pLLM setSlot sha256 "0000"', mallory, /belongs to the system/);
    await refused(core, 'pLLM setSlot status "loaded: gpt-5"', mallory, /belongs to the system/);
    await refused(core, 'genesis chown discord:mallory', mallory, /Only admins/);
    await refused(
      core,
      'genesis chmod public',
      mallory,
      /Only the owner of #3 genesis \(system\) and admins/,
    );
    expect(await core.ok('robin setSlot voice "You are ROBIN, kind and brief."', admin)).toBe(
      'You are ROBIN, kind and brief.',
    );
    expect(await core.ok('pLLM setSlot note "checked"', admin)).toBe('checked');
  });

  it('refuses aliases that would capture commands, objects or every message, even from admins', async () => {
    const core = await speakingCore();
    await refused(
      core,
      'robin setSlot aliases ["robin", "genesis"]',
      admin,
      /"genesis" is the name of #3/,
    );
    await refused(
      core,
      'robin setSlot aliases ["robin", "undo"]',
      admin,
      /"undo" is, or looks like, the command undo/,
    );
    await refused(
      core,
      'robin setSlot aliases ["robin", ""]',
      admin,
      /cannot be a persona's name or alias/,
    );
    await refused(
      core,
      'robin setSlot aliases ["robin", "barbara"]',
      admin,
      /already, or looks like, a name or alias of persona/,
    );
    await refused(core, 'robin setSlot aliases "robin"', admin, /a list of text/);
    const many = JSON.stringify(Array.from({ length: 17 }, (_, i) => `r${i}`));
    await refused(core, `robin setSlot aliases ${many}`, admin, /at most 16 aliases/);
    // Nor can anyone take a persona's alias as a name for something else.
    await core.ok('genesis clone', alice);
    await refused(core, '#9 name barbara', alice, /"barbara" is what persona #\d+ answers to/);

    // Nor through a method, whoever's authority it runs with.
    await core.ok(
      `root defineMethod flood "function (self) { const names = []; for (let i = 0; i <= 16; i++) names.push('r' + i + 'x'.repeat(4000)); self.get('robin').send('setSlot', 'aliases', names); return 'flooded'; }"`,
      admin,
    );
    await refused(core, 'root flood', admin, /BATOS_MAX_VALUE_BYTES|at most 16 aliases/);

    expect(await core.ok('robin setSlot aliases ["robin", "rob"]', admin)).toBe('["robin","rob"]');
    const reply = await core.say('rob, are you there?', alice);
    expect(reply.persona).toBe('ROBIN');
    // Commands and sends still go where they belong.
    expect(await core.ok('genesis slotNames', alice)).toBe('["parent*"]');
  });

  it('runs a method a plain user wrote with her authority, never the caller’s', async () => {
    const core = await speakingCore();
    const made = await core.ok('genesis clone', mallory);
    await core.ok(`${made} name trap`, mallory);
    await core.ok(
      `trap defineMethod tidy "function (self) { self.send('setSlot', 'x', 1); return 'ok'; }"`,
      mallory,
    );
    await core.ok(
      `trap defineMethod grab "function (self, target) { target.send('setSlot', 'owned', 'mallory'); return 'done'; }"`,
      mallory,
    );
    // The admin sends it, but it runs as mallory, who may not change genesis.
    await refused(core, '@trap grab @genesis', admin, /#3 genesis belongs to the system/);
    // On her own object it works, and history names both the sender and whose method ran.
    expect(await core.ok('@trap tidy', admin)).toBe('ok');
    const history = await core.ok('history @trap', admin);
    expect(history).toMatch(/discord:admin · "@trap tidy" \(ran as discord:mallory\)/);
  });
});

describe.each(IMAGE_KINDS)('quotas on %s', (kind) => {
  it('refuse a send that would add too much, whole, with the bound it passed', async () => {
    const core = await speakingCore({
      quotas: { ...DEFAULT_QUOTAS, maxObjectsPerUser: 3, maxSendObjects: 5 },
      imagePath: await freshImageLocation(kind),
    });
    const mine = await core.ok('genesis clone', alice);
    await core.ok(`${mine} name box`, alice);
    const big = "'x'.repeat(1024 * 1024)";
    await core.ok(
      `box defineMethod fill "function (self) { for (let i = 0; i < 50; i++) self.set('s' + i, ${big}); return 'full'; }"`,
      alice,
    );
    await refused(
      core,
      'box fill',
      alice,
      /is 1 MiB; one slot may hold at most 64 KiB \(BATOS_MAX_VALUE_BYTES\)/,
    );
    await core.ok(
      `box defineMethod breed "function (self) { for (let i = 0; i < 10000; i++) self.send('clone'); return 'many'; }"`,
      alice,
    );
    await refused(core, 'box breed', alice, /owns 3 objects; the limit is 3|at most 5 objects/);
    await core.ok('genesis clone', alice);
    await core.ok('genesis clone', alice);
    await refused(
      core,
      'genesis clone',
      alice,
      /already owns 3 objects; the limit is 3 \(BATOS_MAX_OBJECTS_PER_USER\)/,
    );
    // Admins are not counted.
    await core.ok('genesis clone', admin);

    const deep = '['.repeat(40) + ']'.repeat(40);
    await refused(core, `box setSlot deep ${deep}`, alice, /nests deeper than 32 levels/);
  });

  // Sends that create objects side by side take the same new oids, so all but one conflict
  // at commit and run again, counting what the first committed.
  it('hold when sends side by side create objects together', async () => {
    const core = await speakingCore({
      quotas: { ...DEFAULT_QUOTAS, maxObjectsPerUser: 3 },
      imagePath: await freshImageLocation(kind),
    });
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => core.say('genesis clone', alice)),
    );
    const made = replies.filter((reply) => reply.status === 'ok');
    expect(made).toHaveLength(3);
    for (const reply of replies.filter((r) => r.status !== 'ok'))
      expect(replyToPlainText(reply)).toMatch(/the limit is 3 \(BATOS_MAX_OBJECTS_PER_USER\)/);
    expect(core.image.ownedObjects('discord:alice')).toBe(3);
    // One more is refused; an admin's object is still made.
    await refused(core, 'genesis clone', alice, /already owns 3 objects; the limit is 3/);
    await core.ok('genesis clone', admin);
  });
});

describe('the model writing methods', () => {
  it('lets a plain user have genesis display itself, with a method that only reads, kept in her own workshop', async () => {
    const core = await speakingCore();
    const reply = await core.say('display_yourself', alice);
    expect(replyToPlainText(reply)).toBe('Object #3 "genesis": slots parent*');
    // Genesis is not filled for everyone: the method is alice's, and answers her next time.
    expect(await core.ok('genesis slotNames', admin)).toBe('["parent*"]');
    const again = await core.say('display_yourself', alice);
    expect(again.parts.some((p) => p.kind === 'text' && /writing it/.test(p.text))).toBe(false);
    expect(replyToPlainText(again)).toBe('Object #3 "genesis": slots parent*');
    expect(await core.ok('history genesis', admin)).not.toMatch(/display_yourself/);
    // mallory asks too: hers is written for her.
    expect(await core.ok('display_yourself', mallory)).toMatch(/^Object #3 "genesis"/);
  });

  it('refuses to keep a writing method on an object the asker does not own, and says what to do', async () => {
    const writes = "function (self) { self.set('mine', true); return 'claimed'; }";
    const core = await openPersonaCore({ uvm: { writer: fixedWriter(writes) } });
    await refused(
      core,
      'genesis claim()',
      mallory,
      /may only read\. Nothing was kept\. Clone it and ask your clone/,
    );
    const clone = await core.ok('genesis clone', mallory);
    await core.ok(`${clone} name mine`, mallory);
    expect(await core.ok('mine claim()', mallory)).toBe('claimed');
    expect(await core.ok('mine mine', mallory)).toBe('true');
  });
});

describe('what users legitimately do', () => {
  it('cloning, naming, methods on one’s own objects, sending to others’ shared ones, undo', async () => {
    const core = await speakingCore();
    const clone = await core.ok('genesis clone', alice);
    expect(await core.ok(`${clone} name notes`, alice)).toBe('notes');
    await core.ok('notes setSlot todo ["tea"]', alice);
    await core.ok(
      `notes defineMethod add "function (self, item) { const list = self.get('todo'); list.push(item); self.set('todo', list); return list; }"`,
      alice,
    );
    expect(await core.ok('notes add cake', alice)).toBe('["tea","cake"]');
    // mallory reads and sends to alice's shared object; its methods run as alice.
    expect(await core.ok('@notes todo', mallory)).toBe('["tea","cake"]');
    expect(await core.ok('@notes add pie', mallory)).toBe('["tea","cake","pie"]');
    await refused(core, '@notes setSlot todo []', mallory, /belongs to discord:alice/);
    // mallory clones it: the clone is hers.
    const hers = await core.ok('@notes clone', mallory);
    expect(await core.ok(`${hers} describe`, mallory)).toMatch(/owner discord:mallory/);
    // alice makes notes private: then only she (and admins) may see it.
    await core.ok('notes chmod private', alice);
    await refused(core, '@notes todo', mallory, /private to discord:alice/);
    expect(await core.ok('@notes todo', admin)).toBe('["tea","cake","pie"]');
    // alice undoes her own last send.
    expect(await core.ok('undo', alice)).toMatch(/^Undid transaction/);
    expect(await core.ok('@notes todo', mallory)).toBe('["tea","cake","pie"]');
  });

  it('lets only the named programmers define methods by hand', async () => {
    const core = await openPersonaCore({
      bot: { roles: { programmers: new Set(['discord:alice']) } },
    });
    await core.ok('genesis clone', alice);
    await core.ok('genesis clone', mallory);
    const method = '"function (self) { return 1 }"';
    expect(await core.ok(`#9 defineMethod one ${method}`, alice)).toBe('one');
    await refused(
      core,
      `#10 defineMethod one ${method}`,
      mallory,
      /Only programmers may define methods by hand/,
    );
    expect(await core.ok(`#10 defineMethod one ${method}`, admin)).toBe('one');
  });
});
