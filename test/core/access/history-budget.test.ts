/**
 * The daily history budget (BATOS_MAX_HISTORY_BYTES_PER_DAY), through the real Bot on SQLite
 * and PostgreSQL: a person's sends may add at most so many bytes to history in a UTC day; at
 * the limit they pass, one byte past they are refused whole, naming the setting. Other
 * people, admins and BAT OS itself are not held back, and the figure survives a restart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_QUOTAS } from '../../../src/core/access/quotas.ts';
import { encodeSlot } from '../../../src/core/image/codec.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { replyToPlainText } from '../../support/reply-text.ts';

const person = (id: string, isAdmin = false): Partial<Send> => ({
  platform: 'discord',
  sender: { id, name: id, isAdmin },
  channel: `dm-${id}`,
  adminChannel: false,
});
const alice = person('alice');
const mallory = person('mallory');
const admin = person('admin', true);
const ALICE = 'discord:alice';
const BUDGET = /\(BATOS_MAX_HISTORY_BYTES_PER_DAY\)\. It renews at midnight UTC/;

afterEach(() => {
  vi.useRealTimers();
});

/** A core on the image at `location` whose people may each add `limit` bytes a day. */
function openCore(location: string, limit = DEFAULT_QUOTAS.maxHistoryBytesPerDay) {
  return openTestCore({
    imagePath: location,
    uvm: { quotas: { ...DEFAULT_QUOTAS, maxHistoryBytesPerDay: limit } },
  });
}

/** Everything a send could change: every object, and the whole history. */
async function state(core: TestCore): Promise<string> {
  const history = await core.image.history({ limit: 10_000 });
  return JSON.stringify([[...core.image.allObjects()].map(([o, s]) => [o, [...s]]), history]);
}

/** Sends `text` as `who`, expects a refusal matching `why`, and that nothing changed. */
async function refused(core: TestCore, text: string, who: Partial<Send>, why: RegExp) {
  const before = await state(core);
  const principal = `discord:${who.sender!.id}`;
  const used = core.image.historyBytesToday(principal);
  const reply = await core.say(text, who);
  expect(reply.status, `${text}: ${replyToPlainText(reply)}`).not.toBe('ok');
  expect(replyToPlainText(reply)).toMatch(why);
  expect(await state(core)).toBe(before);
  expect(core.image.historyBytesToday(principal)).toBe(used);
}

/**
 * Opens a fresh image where alice owns `box` with `note` set, and measures what one more
 * `box setSlot note` of the same length adds to history. Returns the image's location,
 * what alice's transactions added today, and that step; the image is closed.
 */
async function aliceWithABox(kind: (typeof IMAGE_KINDS)[number]) {
  const location = await freshImageLocation(kind);
  const core = await openCore(location);
  const box = await core.ok('genesis clone', alice);
  await core.ok(`${box} name box`, alice);
  await core.ok('box setSlot note "aaaa"', alice);
  const before = core.image.historyBytesToday(ALICE);
  await core.ok('box setSlot note "bbbb"', alice);
  const used = core.image.historyBytesToday(ALICE);
  const step = used - before;
  // What history keeps of that send: the slot's encoded value before and after.
  const [last] = await core.image.history({ limit: 1 });
  const encoded = (text: string) => Buffer.byteLength(encodeSlot({ kind: 'value', value: text }));
  expect(step).toBe(encoded('aaaa') + encoded('bbbb'));
  expect(last!.bytes).toBe(step);
  // The day's figure is every one of alice's transactions, as history keeps them.
  const mine = (await core.image.history({ limit: 10_000 })).filter((e) => e.who === ALICE);
  expect(used).toBe(mine.reduce((sum, entry) => sum + entry.bytes, 0));
  await core.close();
  return { location, used, step };
}

describe.each(IMAGE_KINDS)('the daily history budget on %s', (kind) => {
  it('refuses a send one byte past it, whole, naming the setting, after a restart too', async () => {
    const { location, used, step } = await aliceWithABox(kind);
    const core = await openCore(location, used + step - 1);
    // The figure is read from the image: a restart does not reset it.
    expect(core.image.historyBytesToday(ALICE)).toBe(used);
    await refused(core, 'box setSlot note "cccc"', alice, BUDGET);
    // Another person is not held back by alice's budget; an admin is not bounded.
    await core.ok('genesis clone', mallory);
    await core.ok('@box setSlot note "dddd"', admin);
  });

  it('passes a send that reaches it exactly, then refuses the next and an undo', async () => {
    const { location, used, step } = await aliceWithABox(kind);
    const core = await openCore(location, used + step);
    await core.ok('box setSlot note "cccc"', alice);
    expect(core.image.historyBytesToday(ALICE)).toBe(used + step);
    await refused(core, 'box setSlot note "dddd"', alice, BUDGET);
    // An undo adds to history too, so that undo upon undo cannot grow it without bound.
    await refused(core, 'undo', alice, BUDGET);
    // An admin's sends and undo are not bounded, whoever's object they change.
    await core.ok('@box setSlot note "eeee"', admin);
    expect(await core.ok('undo', admin)).toMatch(/^Undid transaction/);
    // BAT OS's own bookkeeping for alice is never refused (it runs as the system).
    await core.uvm.asSystem({ who: ALICE, platform: 'discord' }, (tx) =>
      tx.setSlot(0, 'kept', { kind: 'value', value: 'by the system' }),
    );
  });

  it('renews at midnight UTC', async () => {
    const { location, used, step } = await aliceWithABox(kind);
    const core = await openCore(location, used + step - 1);
    await refused(core, 'box setSlot note "cccc"', alice, BUDGET);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 86_400_000);
    expect(core.image.historyBytesToday(ALICE)).toBe(0);
    await core.ok('box setSlot note "cccc"', alice);
    expect(core.image.historyBytesToday(ALICE)).toBe(step);
  });
});
