/**
 * History's retention (BATOS_HISTORY_MAX_BYTES, BATOS_HISTORY_KEEP_DAYS), on SQLite and
 * PostgreSQL: at its bound history is kept whole; one byte past, the oldest transactions are
 * forgotten, down to 90 % of the bound, the newest kept, and an undo of a forgotten one says
 * it is gone. Days kept forget what is older. The background pass logs what it forgot.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/core/log.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { RETAINED_SHARE } from '../../../src/core/uvm/retention.ts';
import { startRetention } from '../../../src/personas/heartbeat.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { replyToPlainText } from '../../support/reply-text.ts';

const alice: Partial<Send> = {
  platform: 'discord',
  sender: { id: 'alice', name: 'alice', isAdmin: false },
  channel: 'dm-alice',
  adminChannel: false,
};
const NO_BOUND = Number.MAX_SAFE_INTEGER;

afterEach(() => {
  vi.useRealTimers();
});

/** A core where alice owns `box` and has set its `note` `count` times, 1,000 bytes each. */
async function busyCore(kind: (typeof IMAGE_KINDS)[number], count: number): Promise<TestCore> {
  const core = await openTestCore({ imagePath: await freshImageLocation(kind) });
  const box = await core.ok('genesis clone', alice);
  await core.ok(`${box} name box`, alice);
  for (let i = 0; i < count; i++) await core.ok(`box setSlot note "${i}${'x'.repeat(999)}"`, alice);
  return core;
}

/** Every transaction history keeps, oldest first. */
async function kept(core: TestCore) {
  return (await core.image.history({ limit: 10_000 })).reverse();
}

describe.each(IMAGE_KINDS)('history retention on %s', (kind) => {
  it('keeps all of history at its bound, and forgets the oldest one byte past it', async () => {
    const core = await busyCore(kind, 6);
    const all = await kept(core);
    const size = all.reduce((sum, entry) => sum + entry.bytes, 0);
    expect(await core.image.historySize()).toBe(size);

    expect(await core.uvm.retainHistory({ maxBytes: size, keepDays: 0 })).toMatchObject({
      byAge: 0,
      bySize: 0,
    });
    expect(await kept(core)).toEqual(all);

    const maxBytes = size - 1;
    const target = Math.floor(maxBytes * RETAINED_SHARE);
    // The fewest oldest transactions whose forgetting brings history down to the target.
    let forgotten = 0;
    for (let left = size; left > target; forgotten++) left -= all[forgotten]!.bytes;
    const spent = core.image.historyBytesToday('discord:alice');
    const done = await core.uvm.retainHistory({ maxBytes, keepDays: 0 });
    expect(done).toEqual({
      byAge: 0,
      bySize: forgotten,
      bytesBefore: size,
      bytesAfter: await core.image.historySize(),
    });
    expect(done.bytesAfter).toBeLessThanOrEqual(target);
    expect(forgotten).toBeGreaterThan(0);
    expect(forgotten).toBeLessThan(all.length);
    const left = await kept(core);
    expect(left).toEqual(all.slice(forgotten));
    expect(done.bytesAfter).toBe(left.reduce((sum, entry) => sum + entry.bytes, 0));
    // Forgetting gives no budget back: alice added as much today as before.
    expect(core.image.historyBytesToday('discord:alice')).toBe(spent);
    // The newest is kept: its undo still works; the forgotten one's undo says it is gone.
    expect(left.at(-1)!.message).toMatch(/^box setSlot note "5x/);
    const gone = all[forgotten - 1]!.tx;
    const reply = await core.say(`undo ${gone}`);
    expect(replyToPlainText(reply)).toMatch(
      new RegExp(`There is no transaction ${gone} to undo: its history was forgotten`),
    );
    expect(await core.ok('undo', alice)).toMatch(/^Undid transaction/);
    expect(core.image.read(core.image.nextOid - 1)!.get('note')).toEqual({
      kind: 'value',
      value: `4${'x'.repeat(999)}`,
    });
  });

  it('forgets what is older than the days kept, and keeps the rest', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3 * 86_400_000);
    const core = await busyCore(kind, 1);
    vi.useRealTimers();
    await core.ok('box setSlot note "today"', alice);
    const all = await kept(core);
    expect(await core.uvm.retainHistory({ maxBytes: NO_BOUND, keepDays: 4 })).toMatchObject({
      byAge: 0,
      bySize: 0,
    });
    expect(await kept(core)).toEqual(all);
    expect(await core.uvm.retainHistory({ maxBytes: NO_BOUND, keepDays: 2 })).toMatchObject({
      byAge: all.length - 1,
      bySize: 0,
    });
    expect(await kept(core)).toEqual(all.slice(-1));
    expect(all.at(-1)!.message).toBe('box setSlot note "today"');
    expect(await core.image.historySize()).toBe(all.at(-1)!.bytes);
    expect(core.image.foreignKeyCheck()).toEqual([]);
  });

  it('forgets more than one batch in one pass, oldest first', async () => {
    const core = await openTestCore({ imagePath: await freshImageLocation(kind) });
    for (let i = 0; i < 1_100; i++) {
      const tx = core.image.begin({ who: 'discord:alice', platform: 'discord' });
      tx.setSlot(0, 'counter', { kind: 'value', value: i });
      await core.image.commit(tx);
    }
    const all = await kept(core);
    const size = all.reduce((sum, entry) => sum + entry.bytes, 0);
    const maxBytes = Math.ceil(size / 40);
    let forgotten = 0;
    for (let left = size; left > Math.floor(maxBytes * RETAINED_SHARE); forgotten++)
      left -= all[forgotten]!.bytes;
    expect(forgotten).toBeGreaterThan(1_000);
    expect(await core.uvm.retainHistory({ maxBytes, keepDays: 0 })).toMatchObject({
      bySize: forgotten,
    });
    expect(await kept(core)).toEqual(all.slice(forgotten));
  });

  it('runs in the background and says what it forgot and why', async () => {
    const core = await busyCore(kind, 3);
    const size = await core.image.historySize();
    const lines: string[] = [];
    const log: Logger = {
      info: (line) => lines.push(line),
      warn: (line) => lines.push(line),
      error: (line) => lines.push(line),
    };
    const retention = startRetention({
      uvm: core.uvm,
      retention: { maxBytes: size - 1, keepDays: 0 },
      intervalMs: 1,
      log,
    });
    try {
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0));
    } finally {
      await retention.stop();
    }
    expect(lines[0]).toMatch(
      /^history: forgot the [1-9]\d* oldest transaction\(s\), with their undo: history held .* \(BATOS_HISTORY_MAX_BYTES\); it holds .* now$/,
    );
    expect(await core.image.historySize()).toBeLessThanOrEqual((size - 1) * RETAINED_SHARE);
  });
});
