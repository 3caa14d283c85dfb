/**
 * The browser's reads and sign-in through the real Bot on a real image: an object as data
 * (`Bot.inspect`, read as a send to it would be), the change feed, and the `browse` command.
 */
import { describe, expect, it } from 'vitest';
import type { BrowseDesk } from '../../../src/core/bot/bot.ts';
import type { CommittedChange } from '../../../src/core/image/index.ts';
import { PARENT_SLOT } from '../../../src/core/model/value.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { CHILDREN_PAGE } from '../../../src/core/uvm/children.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { replyToPlainText } from '../../support/reply-text.ts';

type Person = Omit<Send, 'text' | 'mentions'>;
const person = (id: string): Person => ({
  platform: 'slack',
  sender: { id, name: id, isAdmin: false },
  channel: `D-${id}`,
  reach: 'direct',
  adminChannel: false,
});
/** What the browser's object page asks for `who`. */
const inspect = (core: TestCore, who: Person, word: string) =>
  core.bot.inspect({ ...who, text: `${word} describe`, mentions: [] }, word);
const ada = person('ada');
const bob = person('bob');
const V1 = "function (self) { return 'one' }";
const V2 = "function (self) { return 'two' }";

async function adasBox(core: TestCore): Promise<number> {
  const oid = Number(/#(\d+)/u.exec(await core.ok('genesis clone', ada))![1]);
  await core.ok(`#${oid} name box`, ada);
  await core.ok(`box setSlot note [1, @genesis, "<b>"]`, ada);
  await core.ok(`box defineMethod greet ${JSON.stringify(V1)}`, ada);
  await core.ok(`box defineMethod greet ${JSON.stringify(V2)}`, ada);
  return oid;
}

describe('Bot.inspect', () => {
  it('gives an object as data: slots, references, methods with provenance and versions, parents, owner and flags', async () => {
    const core = await openTestCore();
    const oid = await adasBox(core);
    const found = await inspect(core, ada, 'box');
    if (!('view' in found)) throw new Error(replyToPlainText(found.reply));
    const { view } = found;
    expect(view).toMatchObject({
      oid,
      label: `#${oid} box`,
      name: 'box',
      owner: 'slack:ada',
      flags: 'rf',
      parents: [{ oid: 3, label: '#3 genesis' }],
    });
    expect(view.access).toBe(`owner slack:ada · flags "rf" (anyone may read, clone)`);
    // BAT OS's own slots (owner*, access*) are not shown, as `describe` leaves them out.
    expect(view.slots.map((slot) => slot.name)).toEqual(['parent*', 'note', 'greet']);
    expect(view.slots[1]).toEqual({
      kind: 'value',
      name: 'note',
      text: '[1,"<#3 genesis>","<b>"]',
      refs: [{ oid: 3, label: '#3 genesis' }],
    });
    const greet = view.slots[2]!;
    if (greet.kind !== 'method') throw new Error('greet is a method');
    expect(greet.source).toBe(V2);
    expect(greet.provenance).toMatchObject({
      author: 'human',
      by: 'slack:ada',
      owner: 'slack:ada',
    });
    expect(greet.versions.map((v) => [v.n, v.source, v.current, v.who, v.origin])).toEqual([
      [1, V1, false, 'slack:ada', 'by hand'],
      [2, V2, true, 'slack:ada', 'by hand'],
    ]);
  });

  it('is refused exactly as a send to the object is: private, unknown, or a bare name of someone else’s', async () => {
    const core = await openTestCore();
    const oid = await adasBox(core);
    await core.ok('box chmod private', ada);
    const chatRefusal = async (text: string) => replyToPlainText(await core.say(text, bob));
    for (const [word, send] of [
      [`#${oid}`, `#${oid} describe`],
      ['@box', '@box describe'],
      ['#999', '#999 describe'],
    ]) {
      const found = await inspect(core, bob, word!);
      if (!('reply' in found)) throw new Error(`${word} should be refused to bob`);
      expect(replyToPlainText(found.reply)).toBe(await chatRefusal(send!));
    }
    // A bare name reaches only one's own and the system's objects (chat reads `box describe`
    // from bob as conversation): the page says so, and how to name hers.
    const bare = await inspect(core, bob, 'box');
    expect('reply' in bare && replyToPlainText(bare.reply)).toMatch(
      /a bare name reaches only your objects and the system's\. To send to theirs, write @box/,
    );
    // Its owner and an admin still see it.
    expect('view' in (await inspect(core, ada, 'box'))).toBe(true);
    const admin = { ...bob, sender: { id: 'root', name: 'root', isAdmin: true } };
    expect('view' in (await inspect(core, admin, `#${oid}`))).toBe(true);
    const bad = await inspect(core, bob, 'not a word');
    expect('reply' in bad && replyToPlainText(bad.reply)).toMatch(/is not an object/);
  });

  it('lists the children the reader may read, a page at a time, and leaves out the rest', async () => {
    const core = await openTestCore();
    const oid = await adasBox(core);
    const cloneOf = async (who: Person) =>
      Number(/#(\d+)/u.exec(await core.ok(`#${oid} clone`, who))![1]);
    const mine = await cloneOf(ada);
    const bobs = await cloneOf(bob);
    const hidden = await cloneOf(bob);
    await core.ok(`#${hidden} chmod private`, bob);
    // Not a child: it only refers to the box in a value slot.
    await core.ok(`#${mine} setSlot friend #${oid}`, ada);
    const children = async (who: Person, after?: number) => {
      const found = await core.bot.inspect(
        { ...who, text: `#${oid} describe`, mentions: [] },
        `#${oid}`,
        after,
      );
      if (!('view' in found)) throw new Error(replyToPlainText(found.reply));
      return found.view.children;
    };
    expect(await children(ada)).toEqual({
      links: [
        { oid: mine, label: `#${mine}` },
        { oid: bobs, label: `#${bobs}` },
      ],
    });
    expect((await children(bob)).links.map((l) => l.oid)).toEqual([mine, bobs, hidden]);

    // Many children: a page of CHILDREN_PAGE, and where the next begins.
    const { result: many } = await core.uvm.asSystem(
      { who: 'slack:ada', platform: 'slack' },
      (tx) =>
        Array.from({ length: CHILDREN_PAGE + 5 }, () =>
          tx.create([[PARENT_SLOT, { kind: 'value', value: { $ref: oid } }]]),
        ),
    );
    const first = await children(ada);
    expect(first.links).toHaveLength(CHILDREN_PAGE);
    expect(first.next).toBe(first.links.at(-1)!.oid);
    const second = await children(ada, first.next);
    expect(second.next).toBeUndefined();
    expect([...first.links, ...second.links].map((l) => l.oid)).toEqual([mine, bobs, ...many]);
  });

  it('tells the change feed which objects each commit wrote, and stops when asked', async () => {
    const core = await openTestCore();
    const oid = await adasBox(core);
    const heard: CommittedChange[] = [];
    const stop = core.bot.watch((change) => heard.push(change));
    const reply = await core.say('box setSlot color "red"', ada);
    expect(heard).toEqual([{ tx: reply.tx, oids: [oid] }]);
    await core.ok('box color', ada); // a read commits nothing
    expect(heard).toHaveLength(1);
    stop();
    await core.ok('box setSlot color "blue"', ada);
    expect(heard).toHaveLength(1);
  });
});

describe('browse', () => {
  /** A desk that answers a fixed link: the Bot's part, without the browser's. */
  const desk: BrowseDesk = {
    link: (send) =>
      Promise.resolve({ url: `https://batos.test/signin?t=${send.sender.id}`, minutes: 5 }),
  };

  /** Keeps a session for `principal` in the image, as the browser's sign-in would. */
  async function session(core: TestCore, principal: string, hash: string): Promise<void> {
    await core.image.signIns.addSession(hash, {
      principal,
      identity: '{}',
      expires: Date.now() + 3_600_000,
    });
  }

  it('answers a link in a DM or the console, and refuses it where others read', async () => {
    const core = await openTestCore({ bot: { browser: desk } });
    expect(await core.ok('browse', ada)).toMatch(
      /^Open https:\/\/batos\.test\/signin\?t=ada within 5 minutes/,
    );
    expect(await core.ok('browse')).toMatch(/t=operator/);
    const inChannel = await core.say('browse', { ...ada, reach: 'mention', channel: 'C1' });
    expect(inChannel.status).toBe('refused');
    expect(replyToPlainText(inChannel)).toMatch(/direct message.*Nothing was done/);
  });

  it('ends one’s own sessions in the image; only admins end someone else’s', async () => {
    const core = await openTestCore();
    const now = Date.now();
    await session(core, 'slack:ada', 'ada-1');
    await session(core, 'slack:ada', 'ada-2');
    await session(core, 'slack:bob', 'bob-1');
    expect(await core.ok('browse logout', ada)).toBe('Ended 2 browser sessions of yours.');
    expect(await core.image.signIns.session('ada-1', now)).toBeUndefined();
    expect(await core.ok('browse logout', ada)).toBe(
      'There was no browser session of yours to end.',
    );

    await session(core, 'slack:ada', 'ada-3');
    const refused = await core.say('browse logout slack:ada', bob);
    expect(refused.status).toBe('refused');
    expect(replyToPlainText(refused)).toMatch(/Only admins/);
    // Refused, and nothing ended.
    expect(await core.image.signIns.session('ada-3', now)).toBeDefined();
    expect(await core.ok('browse logout slack:ada')).toBe('Ended 1 browser session of slack:ada.');
    expect(await core.image.signIns.session('ada-3', now)).toBeUndefined();
    expect(await core.image.signIns.session('bob-1', now)).toBeDefined();
    expect((await core.say('browse now', ada)).status).toBe('error');
  });

  it('says the browser is off when it is, and still ends sessions kept in the image', async () => {
    const core = await openTestCore();
    const off = await core.say('browse', ada);
    expect(off.status).toBe('refused');
    expect(replyToPlainText(off)).toMatch(/BATOS_BROWSER_PORT/);
    await session(core, 'slack:ada', 'ada-1');
    expect(await core.ok('browse logout', ada)).toBe('Ended 1 browser session of yours.');
  });
});

describe('history by person and time', () => {
  it('narrows history to one person and a span of time, hiding what the reader may not see', async () => {
    const core = await openTestCore();
    const oid = await adasBox(core);
    await core.ok(`#${oid} setSlot secret "ada's plan"`, ada);
    await core.ok(`#${oid} chmod private`, ada);
    const bobs = Number(/#(\d+)/u.exec(await core.ok('genesis clone', bob))![1]);
    await core.ok(`#${bobs} setSlot color "blue"`, bob);

    const byBob = await core.ok('history by slack:bob', ada);
    expect(byBob).toContain('color');
    expect(byBob).not.toContain('slack:ada');
    // Ada's private change: who and when for Bob, never what.
    const byAda = await core.ok('history by slack:ada', bob);
    expect(byAda).toContain('slack:ada');
    expect(byAda).not.toContain("ada's plan");
    expect(await core.ok('history by slack:ada', ada)).toContain("ada's plan");

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await core.ok(`history #${bobs} by slack:bob from ${today} to ${today}`, bob)).toContain(
      'color',
    );
    expect(await core.ok(`history from ${tomorrow}`, bob)).toContain(
      `No transactions from ${tomorrow}T00:00:00.000Z.`,
    );
    expect(await core.ok(`history all to ${yesterday}T12:00`, bob)).toContain(
      `No transactions before ${yesterday}T12:00:00.000Z.`,
    );

    for (const [text, why] of [
      ['history by bob', /not a person/],
      ['history from yesterday', /not a day or a time/],
      ['history by slack:bob by slack:ada', /each of by, from and to once/],
      ['history genesis all', /each of by, from and to once/],
    ] as const) {
      const refused = await core.say(text, bob);
      expect(refused.status, text).toBe('error');
      expect(replyToPlainText(refused), text).toMatch(why);
    }
  });
});
