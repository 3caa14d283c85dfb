/**
 * Sends run side by side in one process, each checked at commit: one person's slow method
 * does not hold another's send back, and sends that race on one object lose nothing.
 */
import { describe, expect, it } from 'vitest';
import type { SyncWait } from '../../../src/core/image/index.ts';
import { openTestCore, operator } from '../../support/core.ts';

const someone = (id: string) => ({
  platform: 'discord' as const,
  sender: { id, name: id, isAdmin: false },
  channel: `dm-${id}`,
  adminChannel: false,
});

describe('sends side by side', () => {
  it("answers a quick send while another person's slow method runs", async () => {
    const core = await openTestCore();
    await core.ok(
      `genesis defineMethod ponder "function (self) { const end = Date.now() + 700; while (Date.now() < end) {} return 'pondered' }"`,
    );
    const order: string[] = [];
    const slow = core.say('genesis ponder', someone('alice')).then((reply) => {
      order.push('slow');
      return reply;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const quick = await core.say('genesis setSlot note "hi"', { sender: operator });
    order.push('quick');
    expect(quick.status).toBe('ok');
    const slowReply = await slow;
    expect(slowReply.status, JSON.stringify(slowReply)).toBe('ok');
    expect(order).toEqual(['quick', 'slow']);
  });

  it('syncs a lone send at once, and sends side by side in shared groups', async () => {
    const core = await openTestCore();
    await core.ok('genesis setSlot n 0');
    const waits: SyncWait[] = [];
    const durable = core.image.durable.bind(core.image);
    core.image.durable = (wait) => {
      waits.push(wait ?? 'shared');
      return durable(wait);
    };
    let before = core.image.syncCount;
    for (let i = 1; i <= 5; i += 1) await core.ok(`genesis setSlot n ${i}`);
    expect(core.image.syncCount - before).toBe(5);
    expect(waits).toEqual(Array(5).fill('inline'));
    const people = ['ann', 'bo', 'cy', 'di', 'ed', 'fay', 'gus', 'hal'].map(someone);
    const desks: string[] = [];
    for (const person of people) desks.push(await core.ok('genesis clone', person));
    before = core.image.syncCount;
    waits.length = 0;
    await Promise.all(
      people.map(async (person, p) => {
        for (let i = 0; i < 10; i += 1) await core.ok(`${desks[p]} setSlot n ${i}`, person);
      }),
    );
    // 80 durable sends; while one group syncs, the next group's sends commit and wait.
    expect(waits).toContain('shared');
    expect(core.image.syncCount - before).toBeLessThan(80);
    for (const [p, person] of people.entries())
      expect(await core.ok(`${desks[p]} n`, person)).toBe('9');
  });

  it('loses no increment when eight senders race on one object through a method', async () => {
    const core = await openTestCore();
    await core.ok('genesis setSlot count 0');
    await core.ok(
      `genesis defineMethod increment "function (self) { const n = self.get('count') + 1; self.set('count', n); return n }"`,
    );
    const replies = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const seen: string[] = [];
        for (let i = 0; i < 40; i += 1) seen.push(await core.ok('genesis increment'));
        return seen;
      }),
    );
    const values = replies.flat();
    expect(new Set(values).size).toBe(320);
    expect(await core.ok('genesis count')).toBe('320');
    const history = await core.image.history({ oid: 3, limit: 1000 });
    expect(history.filter((entry) => entry.message === 'genesis increment')).toHaveLength(320);
  });
});
