/**
 * Every quota at its limit and one unit past it, through the real Bot on SQLite and
 * PostgreSQL. For each bound a plain user's send that reaches it exactly passes, and the
 * same send one unit past it is refused with a reply that names the setting and changes
 * nothing: no object and no history. The figures are worked out from the guard's own
 * accounting (a slot costs its name and its JSON; a stored object its stored form; history
 * a change's encoded before and after), so "at the limit" is exact.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS, type Quotas } from '../../../src/core/access/quotas.ts';
import { encodeSlot } from '../../../src/core/image/codec.ts';
import { Mind } from '../../../src/core/mind/index.ts';
import { PARENT_SLOT, ref, type Value } from '../../../src/core/model/value.ts';
import { GENESIS, ROOT } from '../../../src/core/model/primordial.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { freshImageLocation, IMAGE_KINDS, type ImageKind } from '../../support/images.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { tempDir } from '../../support/temp.ts';
import { loadTinyMind, loraFolder, openPersonaCore } from '../../support/personas.ts';

const person = (id: string, isAdmin = false, channel = `dm-${id}`): Partial<Send> => ({
  platform: 'discord',
  sender: { id, name: id, isAdmin },
  channel,
  adminChannel: false,
});
const alice = person('alice');
const admin = person('admin', true, 'general');

let mind: Mind;
beforeAll(async () => {
  mind = await loadTinyMind();
});
afterAll(async () => {
  await mind?.close();
});

/** Everything a send could change: every object, and the whole history. */
async function state(core: TestCore): Promise<string> {
  const history = await core.image.history({ limit: 10_000 });
  return JSON.stringify([[...core.image.allObjects()].map(([o, s]) => [o, [...s]]), history]);
}

/** One send as one person. */
interface Attempt {
  readonly text: string;
  readonly who: Partial<Send>;
}

/** Sends `attempt`, expects a refusal naming `setting`, and that nothing changed. */
async function refused(core: TestCore, attempt: Attempt, setting: string): Promise<void> {
  const before = await state(core);
  const reply = await core.say(attempt.text, attempt.who);
  const text = replyToPlainText(reply);
  expect(reply.status, `${attempt.text}: ${text}`).not.toBe('ok');
  expect(text).toContain(`(${setting})`);
  expect(text).toContain('Nothing was changed.');
  expect(await state(core)).toBe(before);
}

/** Sends `attempt` and expects it to pass and to change the image. */
async function passes(core: TestCore, attempt: Attempt): Promise<string> {
  const before = await state(core);
  const reply = await core.say(attempt.text, attempt.who);
  const text = replyToPlainText(reply);
  expect(reply.status, `${attempt.text}: ${text}`).toBe('ok');
  expect(await state(core)).not.toBe(before);
  return text;
}

/** The oid a `clone` reply names. */
const oidOf = (reply: string): number => Number(/^#(\d+)/.exec(reply)![1]);

/** What `slotBytes` charges a value slot: its name and its JSON, in bytes. */
const valueSlotBytes = (name: string, value: Value): number =>
  Buffer.byteLength(name) + Buffer.byteLength(JSON.stringify(value));

/** What history charges for a value slot's before or after: its encoded form. */
const historyBytes = (value: Value): number =>
  Buffer.byteLength(encodeSlot({ kind: 'value', value }));

/** A JSON text literal of `n` x's, for a message. */
const xs = (n: number): string => JSON.stringify('x'.repeat(n));

/**
 * One quota: the bound it is given, what is done before (alice already owns `box`, with `v`
 * set to "a"), and the send that reaches it exactly and the one a unit past it. For a
 * bound on one send the send past the limit goes first (it changes nothing, so the send at
 * the limit meets the same image); for a count, the send at the limit fills it and the
 * next one is refused.
 */
interface Row {
  readonly setting: string;
  readonly quota: Partial<Quotas>;
  /** Whether the row needs the personas and the model (threads are their conversations). */
  readonly personas?: boolean;
  /** Returns the objects it made that the attempts name. */
  prepare?(core: TestCore, box: number): Promise<readonly number[]>;
  attempts(
    core: TestCore,
    box: number,
    made: readonly number[],
  ): { at: Attempt; past: Attempt; pastFirst: boolean };
}

/** Small bounds, each within what its setting accepts, so an operator could set them. */
const LIMIT = {
  value: 256,
  object: 1024,
  slots: 8,
  sendBytes: 1024,
  sendObjects: 3,
  objects: 3,
  names: 2,
  threads: 2,
  history: 1500,
  depth: 4,
};

const rows: Row[] = [
  {
    setting: 'BATOS_MAX_VALUE_BYTES',
    quota: { maxValueBytes: LIMIT.value },
    // A text of n characters is n + 2 bytes of JSON.
    attempts: () => ({
      at: { text: `box setSlot v ${xs(LIMIT.value - 2)}`, who: alice },
      past: { text: `box setSlot v ${xs(LIMIT.value - 1)}`, who: alice },
      pastFirst: true,
    }),
  },
  {
    setting: 'BATOS_MAX_OBJECT_BYTES',
    quota: { maxObjectBytes: LIMIT.object },
    attempts: (core, box) => {
      // The box's stored form, less the "a" in v, plus the new v.
      const room =
        LIMIT.object - core.image.storedBytes(box) + valueSlotBytes('v', 'a') - 'v'.length - 2;
      expect(room).toBeGreaterThan(10);
      return {
        at: { text: `box setSlot v ${xs(room)}`, who: alice },
        past: { text: `box setSlot v ${xs(room + 1)}`, who: alice },
        pastFirst: true,
      };
    },
  },
  {
    setting: 'BATOS_MAX_OBJECT_SLOTS',
    quota: { maxObjectSlots: LIMIT.slots },
    async prepare(core, box) {
      for (let i = 0; core.image.read(box)!.size < LIMIT.slots - 1; i++)
        await core.ok(`box setSlot f${i} ${i}`, alice);
      expect(core.image.read(box)!.size).toBe(LIMIT.slots - 1);
      return [];
    },
    attempts: () => ({
      at: { text: 'box setSlot last 1', who: alice },
      past: { text: 'box setSlot more 1', who: alice },
      pastFirst: false,
    }),
  },
  {
    setting: 'BATOS_MAX_SEND_BYTES',
    quota: { maxSendBytes: LIMIT.sendBytes },
    async prepare(core) {
      await core.ok(
        `box defineMethod fill "function (self, n) { self.set('a', 'x'.repeat(n)); self.set('b', 'y'); return n; }"`,
        alice,
      );
      return [];
    },
    // Every write counts: a (1 + n + 2 bytes) and b (1 + 3 bytes).
    attempts: () => {
      const n = LIMIT.sendBytes - valueSlotBytes('a', '') - valueSlotBytes('b', 'y');
      return {
        at: { text: `box fill ${n}`, who: alice },
        past: { text: `box fill ${n + 1}`, who: alice },
        pastFirst: true,
      };
    },
  },
  {
    setting: 'BATOS_MAX_SEND_OBJECTS',
    quota: { maxSendObjects: LIMIT.sendObjects },
    async prepare(core) {
      await core.ok(
        `box defineMethod breed "function (self, n) { for (let i = 0; i < n; i++) self.send('clone'); return n; }"`,
        alice,
      );
      return [];
    },
    attempts: () => ({
      at: { text: `box breed ${LIMIT.sendObjects}`, who: alice },
      past: { text: `box breed ${LIMIT.sendObjects + 1}`, who: alice },
      pastFirst: true,
    }),
  },
  {
    setting: 'BATOS_MAX_OBJECTS_PER_USER',
    quota: { maxObjectsPerUser: LIMIT.objects },
    async prepare(core) {
      // The box is one; the send at the limit makes the last.
      for (let owned = 1; owned < LIMIT.objects - 1; owned++) await core.ok('genesis clone', alice);
      expect(core.image.ownedObjects('discord:alice')).toBe(LIMIT.objects - 1);
      return [];
    },
    attempts: () => ({
      at: { text: 'genesis clone', who: alice },
      past: { text: 'genesis clone', who: alice },
      pastFirst: false,
    }),
  },
  {
    setting: 'BATOS_MAX_NAMES_PER_USER',
    quota: { maxNamesPerUser: LIMIT.names },
    // The box's name is one; two clones wait for the last name and the one past it.
    async prepare(core) {
      const made = [];
      for (let i = 0; i < 2; i++) made.push(oidOf(await core.ok('genesis clone', alice)));
      return made;
    },
    attempts: (_core, _box, [last, more]) => ({
      at: { text: `#${last} name second`, who: alice },
      past: { text: `#${more} name third`, who: alice },
      pastFirst: false,
    }),
  },
  {
    setting: 'BATOS_MAX_THREADS_PER_USER',
    quota: { maxThreadsPerUser: LIMIT.threads },
    personas: true,
    async prepare(core) {
      for (let i = 1; i < LIMIT.threads; i++)
        expect((await core.say('robin, hello', { ...alice, channel: `c${i}` })).status).toBe('ok');
      return [];
    },
    attempts: () => ({
      at: { text: 'robin, hello', who: { ...alice, channel: `c${LIMIT.threads}` } },
      past: { text: 'robin, hello', who: { ...alice, channel: `c${LIMIT.threads + 1}` } },
      pastFirst: false,
    }),
  },
  {
    setting: 'BATOS_MAX_HISTORY_BYTES_PER_DAY',
    quota: { maxHistoryBytesPerDay: LIMIT.history },
    // Replacing v's "a" adds its encoded before and after to history.
    attempts: (core, box) => {
      const used = core.image.historyBytesToday('discord:alice');
      const n = LIMIT.history - used - historyBytes('a') - historyBytes('');
      expect(n).toBeGreaterThan(10);
      return {
        at: { text: `#${box} setSlot v ${xs(n)}`, who: alice },
        past: { text: `#${box} setSlot v ${xs(n + 1)}`, who: alice },
        pastFirst: true,
      };
    },
  },
  {
    setting: 'BATOS_MAX_DEPTH',
    quota: { maxDepth: LIMIT.depth },
    attempts: () => ({
      at: {
        text: `box setSlot d ${'['.repeat(LIMIT.depth)}1${']'.repeat(LIMIT.depth)}`,
        who: alice,
      },
      past: {
        text: `box setSlot d ${'['.repeat(LIMIT.depth + 1)}1${']'.repeat(LIMIT.depth + 1)}`,
        who: alice,
      },
      pastFirst: true,
    }),
  },
];

/** A core on a fresh image of `kind` with `quota`, the personas and the model if asked. */
async function openCore(kind: ImageKind, row: Row): Promise<TestCore> {
  const quotas = { ...DEFAULT_QUOTAS, ...row.quota };
  const imagePath = await freshImageLocation(kind);
  // BAT OS's own first transaction, the primordial objects, is bounded by the quotas too: the
  // image is made under the defaults, then opened under the row's.
  await (await openTestCore({ imagePath })).close();
  if (!row.personas) return openTestCore({ imagePath, uvm: { quotas } });
  return openPersonaCore({
    imagePath,
    loraDir: await loraFolder(),
    conversation: {
      mind: { chat: mind.chat.bind(mind), choose: mind.choose.bind(mind) },
      maxThreadsPerUser: quotas.maxThreadsPerUser,
    },
    uvm: { quotas },
  });
}

describe.each(IMAGE_KINDS)('every quota on %s', (kind) => {
  it.each(rows.map((row) => [row.setting, row] as const))(
    '%s: a send at the limit passes, one unit past it is refused and changes nothing',
    async (setting, row) => {
      const core = await openCore(kind, row);
      const box = oidOf(await core.ok('genesis clone', alice));
      await core.ok(`#${box} name box`, alice);
      await core.ok('box setSlot v "a"', alice);
      const made = (await row.prepare?.(core, box)) ?? [];
      const { at, past, pastFirst } = row.attempts(core, box, made);
      if (pastFirst) await refused(core, past, setting);
      await passes(core, at);
      if (!pastFirst) await refused(core, past, setting);
      // Admins are not held back by the per-person bounds; the per-send ones bind them too.
      if (/PER_(USER|DAY)$/.test(setting)) await passes(core, { ...past, who: admin });
    },
  );
});

describe('a primitive that fails inside a method', () => {
  // chown first moves the object's methods that predate recorded authors to the old owner,
  // then writes the new owner; when that last write is refused, the method that sent chown
  // may catch the error, but the primitive's first writes must go with it.
  it('leaves none of its writes behind when the method catches its error', async () => {
    const imagePath = join(tempDir(), 'image.db');
    await (await openTestCore({ imagePath })).close();
    const core = await openTestCore({
      imagePath,
      uvm: { quotas: { ...DEFAULT_QUOTAS, maxValueBytes: 100 } },
    });
    // A method kept before methods recorded their author, as an older image holds it.
    const { result: relic } = await core.uvm.asSystem(
      { who: 'system:test', platform: 'console' },
      (tx) => {
        const oid = tx.create([
          [PARENT_SLOT, { kind: 'value', value: ref(GENESIS) }],
          ['old', { kind: 'method', source: 'function (self) { return 1; }' }],
        ]);
        tx.setSlot(ROOT, 'relic', { kind: 'value', value: ref(oid) });
        return oid;
      },
    );
    // An owner whose name is more than one slot may hold: the last write is refused.
    const owner = `discord:${'1'.repeat(120)}`;
    await core.ok(
      `root defineMethod give "function (self) { try { self.get('relic').send('chown', '${owner}'); } catch (e) { return 'kept: ' + e.message; } return 'given'; }"`,
      admin,
    );
    const before = await state(core);
    const reply = await core.ok('root give', admin);
    expect(reply).toMatch(/^kept: .*\(BATOS_MAX_VALUE_BYTES\)/);
    expect(core.image.read(relic)!.get('old')).toEqual({
      kind: 'method',
      source: 'function (self) { return 1; }',
    });
    expect(await state(core)).toBe(before);
  });
});
