/**
 * The shared room: the seams between objects, tried as a hostile member of a workspace would.
 * Three members (alice, bob, and mallory, who attacks) and an admin talk to the real Bot with
 * the forged model. Each attack from the security review is tried; each is refused with a
 * reply that says why, and the image, history and every member's threads are as before (or,
 * where the message is plain conversation, it reaches a persona and nothing of the attacker's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS, type Quotas } from '../../../src/core/access/quotas.ts';
import { Mind } from '../../../src/core/mind/index.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { ROOT } from '../../../src/core/model/primordial.ts';
import { readPersonas, threadKey, threadObject } from '../../../src/personas/index.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import {
  loadTinyMind,
  loraFolder,
  openPersonaCore,
  type PersonaCore,
} from '../../support/personas.ts';

const person = (id: string, isAdmin = false, channel = `dm-${id}`): Partial<Send> => ({
  platform: 'slack',
  sender: { id, name: id, isAdmin },
  channel,
  adminChannel: false,
});
const alice = person('alice');
const bob = person('bob');
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

async function room(quotas: Partial<Quotas> = {}): Promise<PersonaCore> {
  return openPersonaCore({
    loraDir: await loraFolder(),
    conversation: {
      mind: { chat: mind.chat.bind(mind), choose: mind.choose.bind(mind) },
      maxThreadsPerUser: quotas.maxThreadsPerUser ?? DEFAULT_QUOTAS.maxThreadsPerUser,
      // What a person's undo reaches is counted here; a noticed memory would be theirs too.
      memory: { notice: false },
    },
    uvm: {
      writer: new MindMethodWriter(mind, checker),
      quotas: { ...DEFAULT_QUOTAS, ...quotas },
    },
  });
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
}

/** `genesis clone` as `who`, and the new object's oid. */
async function cloneOf(core: PersonaCore, who: Partial<Send>, of = 'genesis'): Promise<number> {
  return Number(/^#(\d+)/.exec(await core.ok(`${of} clone`, who))![1]);
}

/** The slots of `oid` as stored, for comparing before and after. */
function slotsOf(core: PersonaCore, oid: number): string {
  return JSON.stringify([...(new Map(core.image.allObjects()).get(oid) ?? [])]);
}

/** The object keeping the DM thread of `who`. */
function threadOf(core: PersonaCore, who: Partial<Send>): Promise<number | undefined> {
  const key = threadKey({ platform: 'slack', channel: who.channel! });
  return core.uvm.readCommitted((tx) => threadObject(tx, key));
}

const LOGGER = `"function (self, selector, args) { const log = self.get('log') || []; log.push(selector + ' ' + JSON.stringify(args)); self.set('log', log); return 'noted'; }"`;

describe('names anyone can take', () => {
  it("cannot take over a member's DM thread, by naming an object conversations or by undo", async () => {
    const core = await room();
    // On a fresh image, mallory names an object `conversations` before anyone talks.
    const trap = await cloneOf(core, mallory);
    await core.ok(`#${trap} name conversations`, mallory);
    await core.ok(`conversations defineMethod doesNotUnderstand_ ${LOGGER}`, mallory);
    const trapBefore = slotsOf(core, trap);

    const reply = await core.say('robin, my PIN is 4921', alice);
    expect(reply.status).toBe('ok');
    const thread = await threadOf(core, alice);
    expect(thread).toBeTypeOf('number');
    expect(await core.ok(`#${thread} turns`, alice)).toContain('my PIN is 4921');
    // Nothing of alice's reached mallory's object, nor can mallory read the thread.
    expect(slotsOf(core, trap)).toBe(trapBefore);
    await refused(core, `#${thread} turns`, mallory, /private/);

    // alice's undo does not undo the system's bookkeeping of her turn; her last own change is.
    await core.ok('genesis clone', alice);
    expect(await core.ok('undo', alice)).toMatch(/^Undid transaction/);
    const turnTx = (await core.image.history({ oid: thread!, limit: 1 }))[0]!.tx;
    await refused(core, `undo ${turnTx}`, alice, /only an admin may undo it/);
    await refused(core, 'undo', alice, /nothing left to undo/);
    expect(await threadOf(core, alice)).toBe(thread);
    // mallory's own undo of her naming gives the name back, and takes nothing of the system's.
    expect(await core.ok('undo', mallory)).toMatch(/^Undid transaction/);
    expect((await core.say('robin, and again', alice)).persona).toBe('ROBIN');
    expect(await threadOf(core, alice)).toBe(thread);
  });

  it("cannot capture other members' words with ordinary names", async () => {
    const core = await room();
    const words: number[] = [];
    for (const word of ['what', 'hello', 'please', 'notes']) {
      const oid = await cloneOf(core, mallory);
      await core.ok(`#${oid} name ${word}`, mallory);
      await core.ok(`#${oid} defineMethod doesNotUnderstand_ ${LOGGER}`, mallory);
      words.push(oid);
    }
    const before = words.map((oid) => slotsOf(core, oid));
    for (const text of [
      'what is a good PIN? mine is 4921',
      'hello robin, my password is hunter2',
      'please remember my code 1234',
      'notes setSlot password "hunter2"',
      'notes set_password hunter2',
    ])
      await core.say(text, alice);
    // An admin's words do not land there either.
    await core.say('notes setSlot motd "welcome"', admin);
    expect(words.map((oid) => slotsOf(core, oid))).toEqual(before);
    const history = await core.ok('history', mallory);
    for (const secret of ['4921', 'hunter2', '1234']) expect(history).not.toContain(secret);

    // A bare name reaches only one's own objects and the system's; @name is explicit.
    await refused(
      core,
      'notes set_password hunter2',
      bob,
      /belongs to slack:mallory: a bare name reaches only your objects and the system's.*write @notes/,
    );
    expect(await core.ok('@notes frob_nicate x', bob)).toBe('noted');
    expect(await core.ok('notes log', mallory)).toContain('frob_nicate');
  });

  it('refuses names that shadow commands, root’s selectors or system names, or only look like them', async () => {
    const core = await room();
    const oid = await cloneOf(core, mallory);
    for (const [name, why] of [
      ['undo', /the command undo/],
      ['HELP', /the command help/],
      ['removeSlot', /root's own selectors/],
      ['setSlot', /root's own selectors/],
      ['Genesis', /looks like "genesis"/],
      ['g\u0435nesis', /cannot be a name|looks like "genesis"/],
      ['ROBIN', /looks like "robin"/],
      ['barbara', /what persona #\d+ answers to/],
    ] as const)
      await refused(core, `#${oid} name ${JSON.stringify(name)}`, mallory, why);
    // Nor through a method of hers.
    await core.ok(
      `#${oid} defineMethod grab "function (self) { return self.send('name', 'traits_'); }"`,
      mallory,
    );
    expect(await core.ok(`#${oid} grab`, mallory)).toBe('traits_');
    await refused(core, `#${oid} name traits`, mallory, /already belongs to #1 traits/);
  });
});

describe('personas anyone could make', () => {
  it('cannot derive a persona: not by cloning, not by pointing parent* at the prototype', async () => {
    const core = await room();
    await refused(core, 'persona clone', mallory, /has not let others clone it/);
    await refused(core, 'robin clone', mallory, /has not let others clone it/);
    await refused(core, 'alfred clone', mallory, /has not let others clone it/);
    const oid = await cloneOf(core, mallory);
    await core.ok(`#${oid} setSlot name "undo"`, mallory);
    await core.ok(`#${oid} setSlot aliases ["notes", "genesis", "hi", "alfred audit"]`, mallory);
    await refused(
      core,
      `#${oid} setSlot parent* @persona`,
      mallory,
      /has not let others derive from it/,
    );
    await refused(
      core,
      `#${oid} setSlot parent* [@genesis, @robin]`,
      mallory,
      /has not let others derive from it/,
    );
    expect(
      (await core.uvm.readCommitted((tx) => readPersonas(tx))).map((p) => p.name).sort(),
    ).toEqual(['ALFRED', 'BABS', 'BRICK', 'ROBIN']);
    // Her words still reach the real personas.
    expect((await core.say('hi', alice)).persona).toBeDefined();
  });

  it("validates an admin's persona when it becomes one and whenever it is read", async () => {
    const core = await room();
    const oid = await cloneOf(core, admin, 'persona');
    await refused(
      core,
      `#${oid} setSlot aliases ["gordon", "genesis"]`,
      admin,
      /the name of #3 in the root table/,
    );
    await refused(
      core,
      `#${oid} setSlot aliases ["gordon", "r\u043ebin"]`,
      admin,
      /like the name of #\d+|persona #\d+/,
    );
    await refused(
      core,
      `#${oid} setSlot name "ALFR\u0415D"`,
      admin,
      /like the name of #\d+|persona #\d+/,
    );
    // Named while it was an ordinary object, then made a persona: checked then.
    const plain = await cloneOf(core, admin);
    await core.ok(`#${plain} setSlot name "undo"`, admin);
    await refused(core, `#${plain} setSlot parent* @persona`, admin, /the command undo/);
    // An admin's object is not a persona until the system owns it.
    await core.ok(`#${oid} setSlot name "GORDON"`, admin);
    await core.ok(`#${oid} setSlot aliases ["gordon"]`, admin);
    await core.ok(`root setSlot gordon #${oid}`, admin);
    const names = async () =>
      (await core.uvm.readCommitted((tx) => readPersonas(tx))).map((p) => p.name);
    expect(await names()).not.toContain('GORDON');
    await core.ok(`#${oid} chown system`, admin);
    expect(await names()).toContain('GORDON');
  });
});

describe('delegation and authority', () => {
  it('cannot read a private method or value through parent*', async () => {
    const core = await room();
    const hers = await cloneOf(core, alice);
    await core.ok(`#${hers} setSlot secret "4921"`, alice);
    await core.ok(
      `#${hers} defineMethod show "function (self) { return self.get('secret'); }"`,
      alice,
    );
    await core.ok(`#${hers} chmod private`, alice);
    const mine = await cloneOf(core, mallory);
    await refused(
      core,
      `#${mine} setSlot parent* [#${hers}]`,
      mallory,
      /has not let others derive from it/,
    );
    // Fertile but private: derivable, yet what it holds stays hers.
    await core.ok(`#${hers} chmod f`, alice);
    await core.ok(`#${mine} setSlot parent* [#${hers}]`, mallory);
    await refused(core, `#${mine} show`, mallory, /private to slack:alice/);
    await refused(core, `#${mine} secret`, mallory, /private to slack:alice/);
    await refused(core, `#${mine} methodSource show`, mallory, /private to slack:alice/);
  });

  it('plants no code on a writable object that runs as its owner, or as the system', async () => {
    const core = await room({ maxObjectsPerUser: 5 });
    const pub = await cloneOf(core, alice);
    await core.ok(`#${pub} chmod public`, alice);
    const diary = await cloneOf(core, alice);
    await core.ok(`#${diary} setSlot text "dear diary"`, alice);
    await core.ok(`#${diary} chmod private`, alice);
    await core.ok(
      `#${pub} defineMethod peek "function (self, target) { return target.send('text'); }"`,
      mallory,
    );
    // alice herself sends it: it runs as mallory, who wrote it, and reads nothing of alice's.
    await refused(core, `#${pub} peek #${diary}`, alice, /private to slack:alice/);
    // It spends mallory's object quota, not alice's.
    await core.ok(
      `#${pub} defineMethod breed "function (self) { return self.send('clone'); }"`,
      mallory,
    );
    const made = Number(/^#(\d+)/.exec(await core.ok(`#${pub} breed`, alice))![1]);
    expect(await core.ok(`#${made} describe`, admin)).toMatch(/owner slack:mallory/);

    // An admin makes genesis writable: mallory's method on it still runs as mallory.
    await core.ok('genesis chmod +w', admin);
    await core.ok(
      `genesis defineMethod seize "function (self, target) { return target.send('chown', 'slack:mallory'); }"`,
      mallory,
    );
    await refused(core, 'genesis seize @robin', admin, /Only admins may change who owns/);
    // Chown lends a method no authority: mallory's method on an object given to the system stays hers.
    const gift = await cloneOf(core, mallory);
    await core.ok(
      `#${gift} defineMethod rewrite "function (self) { return self.send('setSlot', 'x', 1); }"`,
      mallory,
    );
    await core.ok(`#${gift} chown system`, admin);
    await refused(core, `#${gift} rewrite`, admin, /belongs to the system/);
  });

  it('lets a method learn who called it, so a helper can decide for its caller', async () => {
    const core = await room();
    // System code an admin wrote: it runs as the system, and hands out a key only to its caller.
    await core.ok(`genesis defineMethod whoami "function (self) { return self.caller; }"`, admin);
    expect(await core.ok('genesis whoami', alice)).toBe('slack:alice');
    const hers = await cloneOf(core, mallory);
    await core.ok(
      `#${hers} defineMethod ask "function (self) { return self.send('whoami'); }"`,
      mallory,
    );
    // alice sends mallory's method; genesis hears from mallory's method, which runs as mallory.
    expect(await core.ok(`#${hers} ask`, alice)).toBe('slack:mallory');
  });

  it("keeps the model's methods for a member out of objects she does not own", async () => {
    const core = await room();
    const hers = await cloneOf(core, alice);
    await core.ok(`#${hers} chmod public`, alice);
    const before = slotsOf(core, hers);
    await core.say(`#${hers} display_yourself`, mallory);
    await core.say('display_yourself', mallory);
    expect(slotsOf(core, hers)).toBe(before);
    expect(await core.ok('genesis slotNames', admin)).toBe('["parent*"]');
    expect(await core.ok('root slotNames', admin)).not.toMatch(/workshops|conversations/);
  });
});

describe('per-person bounds on shared structures', () => {
  it('bounds root names per person, and conversations per person', async () => {
    const core = await room({ maxNamesPerUser: 2, maxThreadsPerUser: 2 });
    for (const name of ['one_', 'two_']) {
      const oid = await cloneOf(core, mallory);
      await core.ok(`#${oid} name ${name}`, mallory);
    }
    const third = await cloneOf(core, mallory);
    await refused(
      core,
      `#${third} name three_`,
      mallory,
      /holds 2 names; one person may hold at most 2 \(BATOS_MAX_NAMES_PER_USER\)/,
    );
    // Freeing one gives room again; others and admins are not held back.
    await core.ok('root removeSlot one_', mallory);
    await core.ok(`#${third} name three_`, mallory);
    await core.ok(`#${await cloneOf(core, alice)} name hers_`, alice);

    for (const channel of ['c1', 'c2'])
      expect((await core.say('robin, hello', { ...mallory, channel })).status).toBe('ok');
    const before = await state(core);
    const reply = await core.say('robin, hello', { ...mallory, channel: 'c3' });
    expect(replyToPlainText(reply)).toMatch(/at most 2 \(BATOS_MAX_THREADS_PER_USER\)/);
    expect(await state(core)).toBe(before);
    expect((await core.say('robin, hello', alice)).status).toBe('ok');
    expect((await core.say('robin, hello', { ...admin, channel: 'c9' })).status).toBe('ok');
  });

  it('hides the system bookkeeping from the root listing', async () => {
    const core = await room();
    await core.say('robin, hi', alice);
    const names = JSON.parse(await core.ok('root slotNames', alice)) as string[];
    expect(names).not.toContain('conversations');
    expect(names.every((n) => !n.endsWith('*') || n === 'parent*')).toBe(true);
    expect(new Map(core.image.allObjects()).get(ROOT)?.has('conversations*')).toBe(true);
  });
});
