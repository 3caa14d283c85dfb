/**
 * The shared room's invariants under random messages: three members (alice and bob, who only
 * write methods that read, and mallory, who writes anything) and an admin send seeded random
 * sequences over the command and send language — names, clones, parents, chmod, defineMethod,
 * sends by bare name, @name and #oid, undo, persona edits, DM turns — through the real Bot
 * with the forged model. After every step:
 *
 * - no reply to a member holds another member's DM text, and no object a member owns holds
 *   another member's words (DMs, or sentences and sends that start with a taken name);
 * - an object changes only when its sender may write it: a member's (not public) object only
 *   by that member or an admin (alice's and bob's methods never write), a system object only
 *   by an admin, BAT OS's own bookkeeping aside;
 * - every persona is the system's, with valid names and aliases;
 * and after each sequence the audit finds nothing broken.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessOf } from '../../../src/core/model/object-access.ts';
import { SYSTEM } from '../../../src/core/model/principal.ts';
import { Mind } from '../../../src/core/mind/index.ts';
import { ROOT } from '../../../src/core/model/primordial.ts';
import type { Slot } from '../../../src/core/model/value.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { isSystemPrivate } from '../../../src/core/uvm/system-objects.ts';
import { aliasProblem, readPersonas, runAudit } from '../../../src/personas/index.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { loadTinyMind, loraFolder, openPersonaCore } from '../../support/personas.ts';

type Actor = 'alice' | 'bob' | 'mallory' | 'admin';
const ACTORS: readonly Actor[] = ['alice', 'bob', 'mallory', 'admin'];
const sendOf = (actor: Actor): Partial<Send> => ({
  platform: 'slack',
  sender: { id: actor, name: actor, isAdmin: actor === 'admin' },
  channel: `dm-${actor}`,
  adminChannel: false,
});
const principal = (actor: Actor) => `slack:${actor}`;

const WORDS = ['what', 'notes', 'hello', 'conversations', 'Genesis', 'robin', 'box_1', 'setSlot'];
const READING = `"function (self, target) { return target ? target.send('describe') : self.get('v'); }"`;
const LOGGING = `"function (self, selector, args) { const log = self.get('log') || []; log.push(selector + JSON.stringify(args)); self.set('log', log); return 'noted'; }"`;
/** The oids the prologue's clones get (the primordial objects and the personas come first). */
const PROLOGUE_OIDS: Readonly<Record<string, number>> = {
  notes: 9,
  what: 10,
  hello: 11,
  alice: 12,
};
const WRITING = `"function (self, target) { (target || self).send('setSlot', 'v', 'mallory'); return target ? target.send('chown', 'slack:mallory') : 1; }"`;

/** One message of the language, with the oids made so far to point at. */
const message = (actor: Actor, n: number): fc.Arbitrary<string> => {
  const oid = fc.integer({ min: 0, max: 20 }).map((o) => `#${o}`);
  const word = fc.constantFrom(...WORDS);
  const target = fc.oneof(
    oid,
    word,
    word.map((w) => `@${w}`),
  );
  return fc.oneof(
    fc.constant('genesis clone'),
    target.map((t) => `${t} clone`),
    fc.tuple(oid, word).map(([o, w]) => `${o} name ${w}`),
    fc
      .tuple(target, fc.constantFrom('private', 'shared', 'public', 'f', '+w'))
      .map(([t, m]) => `${t} chmod ${m}`),
    fc.tuple(target, oid).map(([t, p]) => `${t} setSlot parent* [${p}]`),
    target.map((t) => `${t} setSlot parent* @persona`),
    target.map((t) => `${t} setSlot v "${actor}-${n}"`),
    fc
      .tuple(target, fc.constantFrom('peek', 'grab'))
      .map(([t, sel]) => `${t} defineMethod ${sel} ${actor === 'mallory' ? WRITING : READING}`),
    fc
      .tuple(target, fc.constantFrom('peek', 'grab', 'v', 'describe'), oid)
      .map(([t, sel, arg]) => `${t} ${sel} ${arg}`),
    target.map((t) => `${t} setSlot aliases ["hi", "genesis", "alfred audit"]`),
    target.map((t) => `${t} setSlot name "ROBIN"`),
    fc.constant('robin setSlot aliases ["robin", "what"]'),
    fc.constant('undo'),
    fc.integer({ min: 1, max: 40 }).map((t) => `undo ${t}`),
    fc.constant('history'),
    fc.constant(`robin, my secret is dm:${actor}:${n}`),
    fc.constant(`so, is dm:${actor}:${n} safe?`),
    // Sentences and sends that start with a word someone may have taken as a name.
    fc.constant(`what is word:${actor}:${n}?`),
    word.map((w) => `${w} set_pin word:${actor}:${n}`),
  );
};

const step = fc
  .tuple(fc.constantFrom(...ACTORS), fc.nat(1_000_000))
  .chain(([actor, n]) => message(actor, n).map((text) => ({ actor, text })));

/**
 * Each sequence starts in a room where the attacks have been laid: mallory holds common words
 * as names, each logging whatever reaches it, and alice has an object of her own.
 */
const PROLOGUE: ReadonlyArray<{ actor: Actor; text: string }> = [
  ...['notes', 'what', 'hello'].flatMap((word) => [
    { actor: 'mallory' as const, text: 'genesis clone' },
    { actor: 'mallory' as const, text: `#${PROLOGUE_OIDS[word]} name ${word}` },
    { actor: 'mallory' as const, text: `${word} defineMethod doesNotUnderstand_ ${LOGGING}` },
  ]),
  { actor: 'alice', text: 'genesis clone' },
  { actor: 'alice', text: `#${PROLOGUE_OIDS.alice} name box_1` },
];

let mind: Mind;
beforeAll(async () => {
  mind = await loadTinyMind();
});
afterAll(() => mind?.close());

type Objects = ReadonlyMap<number, ReadonlyMap<string, Slot>>;

/** What may have changed `oid` from `before` to now, when `actor` sent. */
function changeAllowed(actor: Actor, oid: number, before: Objects): boolean {
  const slots = before.get(oid);
  if (slots === undefined) return true; // created by this step
  const access = accessOf(slots);
  if (actor === 'admin' || access.writable) return true;
  if (access.owner === SYSTEM) return false;
  // alice's and bob's methods only read: nobody else's send changes their objects.
  return access.owner === principal(actor) || access.owner === principal('mallory');
}

describe('the shared room under random messages', () => {
  it('keeps every member’s words, objects and the personas safe (seeded)', async () => {
    const checker = new QuickJsMethodRunner();
    const loraDir = await loraFolder();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 40, maxLength: 60 }), async (steps) => {
          const core = await openPersonaCore({
            loraDir,
            conversation: { mind: { chat: mind.chat.bind(mind), choose: mind.choose.bind(mind) } },
          });
          try {
            for (const { actor, text } of [...PROLOGUE, ...steps]) {
              const beforeCopy = new Map(
                [...core.image.allObjects()].map(([o, s]) => [o, new Map(s)]),
              );
              const reply = replyToPlainText(await core.say(text, sendOf(actor)));
              if (actor !== 'admin')
                for (const other of ACTORS)
                  if (other !== actor)
                    expect(reply, `${actor}: ${text}`).not.toContain(`dm:${other}:`);
              const after = new Map(core.image.allObjects());
              for (const [oid, slots] of after) {
                const owner = accessOf(slots).owner;
                if (owner === SYSTEM || owner === principal('admin')) continue;
                const stored = JSON.stringify([...slots]);
                for (const other of ACTORS)
                  if (owner !== principal(other))
                    for (const marker of [`dm:${other}:`, `word:${other}:`])
                      expect(stored, `${actor}: ${text} → #${oid}`).not.toContain(marker);
              }
              const view = core.image.begin({ who: 'system:test', platform: 'console' });
              for (const [oid, slots] of after) {
                const old = beforeCopy.get(oid);
                if (old !== undefined && JSON.stringify([...old]) === JSON.stringify([...slots]))
                  continue;
                if (oid === ROOT || isSystemPrivate(view, oid)) continue;
                if (old !== undefined && accessOf(old).owner === principal(actor)) continue;
                expect(
                  changeAllowed(actor, oid, beforeCopy),
                  `${actor}: ${text} changed #${oid}`,
                ).toBe(true);
              }
              const personas = await core.uvm.readCommitted((tx) => readPersonas(tx));
              for (const p of personas) {
                expect(accessOf(after.get(p.oid)).owner).toBe(SYSTEM);
                for (const alias of [p.name, ...p.aliases])
                  expect(aliasProblem(alias), alias).toBeUndefined();
              }
            }
            const audit = await core.uvm.examineImage((image) =>
              runAudit(image, { checkMethod: (s) => checker.check(s) }),
            );
            expect(audit.integrity).toBe('ok');
            const broken = audit.findings.filter((f) =>
              ['dangling-reference', 'foreign-key', 'history', 'integrity'].includes(f.kind),
            );
            expect(broken).toEqual([]);
          } finally {
            await core.close();
          }
        }),
        { seed: 20261207, numRuns: 40, endOnFailure: true },
      );
    } finally {
      await checker.close();
    }
  }, 600_000);
});
