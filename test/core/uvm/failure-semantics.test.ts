/**
 * What a failure leaves behind: undo that cannot dangle, primordial objects no send can
 * break, values and chains no stored shape can overflow, and a seeded random workload after
 * which ALFRED's audit is clean and every acknowledged send is in history.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS } from '../../../src/core/model/primordial.ts';
import { PARENT_SLOT, ref, type Slot, type Value } from '../../../src/core/model/value.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { runAudit } from '../../../src/personas/index.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { openPersonaCore, type PersonaCore } from '../../support/personas.ts';

const alice: Partial<Send> = {
  platform: 'discord',
  sender: { id: 'alice', name: 'alice', isAdmin: false },
  channel: 'general',
  adminChannel: false,
};
const v = (value: Value): Slot => ({ kind: 'value', value });
const raw = { who: 'system:test', platform: 'console' } as const;

async function auditFindings(core: PersonaCore) {
  const summary = await core.uvm.examineImage((image) =>
    runAudit(image, { checkMethod: core.checkMethod }),
  );
  return summary.findings;
}

/** Writes past every guard, as an image from before the guards could hold. */
async function writeRaw(
  core: PersonaCore,
  work: (tx: ReturnType<PersonaCore['image']['begin']>) => void,
) {
  const tx = core.image.begin(raw);
  work(tx);
  await core.image.commit(tx);
}

describe('undo after collect', () => {
  it('refuses to put back a reference to a collected object, and says why', async () => {
    const core = await openPersonaCore();
    await core.ok('genesis clone', alice);
    await core.ok('#9 name notes', alice);
    await core.ok('notes setSlot text "mine"', alice);
    await core.ok('root removeSlot notes', alice);
    expect(await core.ok('collect')).toMatch(/^Collected 1 unreachable object/);
    const reply = await core.say('undo', alice);
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(
      /would put back a reference to #9 in slot "notes" of #0, and #9 no longer exists \(`collect` removed it/,
    );
    expect(await core.ok('root respondsTo notes')).toBe('false');
    expect(await auditFindings(core)).toEqual([]);
  });
});

describe('the primordial objects', () => {
  it.each([
    ['root setSlot parent* []', /#0 must keep a parent/],
    ['root removeSlot parent*', /#0 must keep a parent/],
    ['genesis setSlot parent* [@genesis]', /#3 would no longer reach traits/],
    ['genesis setSlot parent* "traits"', /parent\* holds an object reference/],
    ['traits setSlot parent* [@root]', /cycle through the root/],
  ])('refuse %s, even from an admin', async (text, why) => {
    const core = await openPersonaCore();
    const before = await core.image.history({ limit: 1000 });
    const reply = await core.say(text);
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(why);
    expect(await core.image.history({ limit: 1000 })).toEqual(before);
    expect(await core.ok('root slotNames')).toMatch(/genesis/);
  });

  it('refuse a method on the root removing its parent, by any path', async () => {
    const core = await openPersonaCore();
    await core.ok(
      `root defineMethod orphan "function (self) { self.remove('parent*'); return 1; }"`,
    );
    expect(replyToPlainText(await core.say('root orphan'))).toMatch(/#0 must keep a parent/);
    expect(await core.ok('root slotNames')).toMatch(/parent\*/);
    expect(await auditFindings(core)).toEqual([]);
  });
});

describe('shapes that once overflowed the stack', () => {
  it('refuses a value nested deeper than the limit, and history reads an old one', async () => {
    const core = await openPersonaCore();
    const deep = '['.repeat(4000) + ']'.repeat(4000);
    expect(replyToPlainText(await core.say(`genesis setSlot deep ${deep}`))).toMatch(
      /longest|nests deeper than 32 levels|limit/,
    );
    let nested: Value = 'core';
    for (let i = 0; i < 4000; i += 1) nested = [nested];
    await writeRaw(core, (tx) => tx.setSlot(GENESIS, 'deep', v(nested)));
    for (const text of ['history', 'history genesis', 'genesis deep'])
      expect((await core.say(text)).status, text).toBe('ok');
    expect(await core.ok('genesis deep')).toContain('"…"');
  });

  it('looks a selector up along a parent chain 15,000 deep', async () => {
    const core = await openPersonaCore();
    let last = GENESIS;
    await writeRaw(core, (tx) => {
      for (let i = 0; i < 15_000; i += 1) last = tx.create([[PARENT_SLOT, v(ref(last))]]);
    });
    expect(await core.ok(`#${last} respondsTo clone`)).toBe('true');
    expect(await core.ok(`#${last} getSlot ${PARENT_SLOT}`)).toBe(`#${last - 1}`);
  });
});

/** A small, seeded pseudo-random generator (mulberry32), so every run is the same. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a random workload', () => {
  it('leaves a clean audit and every acknowledged send in history (seed 20261130)', async () => {
    const core = await openPersonaCore();
    const next = random(20261130);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const people = ['alice', 'bob'].map((id): Partial<Send> => ({
      ...alice,
      sender: { id, name: id, isAdmin: false },
    }));
    for (const who of people) {
      const mine = await core.ok('genesis clone', who);
      await core.ok(`${mine} name box_${who.sender!.id}`, who);
      await core.ok(
        `box_${who.sender!.id} defineMethod fail "function (self, n) { self.set('failed', n); self.send('clone'); throw new Error('no'); }"`,
        who,
      );
      await core.ok(
        `box_${who.sender!.id} defineMethod careful "function (self, n) { self.set('n', n); try { self.send('fail', n); } catch (e) {} return n; }"`,
        who,
      );
    }
    const acknowledged: number[] = [];
    const undone = new Set<number>();
    for (let step = 0; step < 2_000; step += 1) {
      const who = pick(people);
      const box = `box_${who.sender!.id}`;
      const n = Math.floor(next() * 1000);
      const text = pick([
        `${box} setSlot n ${n}`,
        `${box} setSlot list [${n}, ${n + 1}]`,
        `${box} careful ${n}`,
        `${box} fail ${n}`,
        `${box} clone`,
        `genesis clone`,
        `${box} setSlot friend #${Math.floor(next() * 40)}`,
        `${box} removeSlot n`,
        'undo',
        'collect',
      ]);
      const reply = await core.say(text, text === 'collect' ? {} : who);
      if (reply.tx !== undefined) acknowledged.push(reply.tx);
      const undid = /^Undid transaction (\d+)\./.exec(replyToPlainText(reply));
      if (undid) undone.add(Number(undid[1]));
    }
    await core.ok('collect');
    expect(await auditFindings(core)).toEqual([]);
    const history = await core.image.history({ limit: 100_000 });
    const recorded = new Set(history.map((e) => e.tx));
    expect(acknowledged.length).toBeGreaterThan(500);
    for (const tx of acknowledged) expect(recorded.has(tx), `tx ${tx}`).toBe(true);
    for (const entry of history.filter((e) => undone.has(e.tx)))
      expect(entry.undoneBy).not.toBeNull();
    // No failed nested method left a write behind.
    for (const who of people)
      expect(await core.ok(`@box_${who.sender!.id} respondsTo failed`)).toBe('false');
    expect(await core.ok('genesis respondsTo clone')).toBe('true');
  });
});
