/**
 * Fair slots: round robin by party, a hard share or one lent while nobody else waits, and
 * waiters that give up. The tasks are real asynchronous work (they yield to the event loop
 * until told to finish), and every assertion is on order, never on time.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FairSlots, fairShare } from '../../../src/core/fairness/index.ts';

/** A task that runs until `finish` is called, recording its start and end in `log`. */
function task(log: string[], name: string) {
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish: () => finish(),
    run: async () => {
      log.push(`start ${name}`);
      await done;
      await tick();
      log.push(`end ${name}`);
      return name;
    },
  };
}

/** Lets queued promise work settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await tick();
}

describe('FairSlots', () => {
  it('serves waiting parties round robin, not in arrival order', async () => {
    const slots = new FairSlots({ capacity: 1, share: 1 });
    const order: string[] = [];
    const queued = [
      ...['a1', 'a2', 'a3', 'a4'].map((name) => ['ann', name] as const),
      ['bo', 'b1'] as const,
      ['bo', 'b2'] as const,
      ['cy', 'c1'] as const,
    ].map(([party, name]) => slots.run(party, async () => order.push(name)));
    await Promise.all(queued);
    // ann's first ran at once; then bo and cy, never served, come before ann's second.
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
    expect(slots.busy).toBe(0);
  });

  it('keeps a party to its share even while slots stand free', async () => {
    const slots = new FairSlots({ capacity: 4, share: 1 });
    const log: string[] = [];
    const ann = [1, 2, 3].map((n) => task(log, `ann${n}`));
    const running = ann.map((t) => slots.run('ann', t.run));
    await settle();
    expect(log).toEqual(['start ann1']);
    expect(slots.heldBy('ann')).toBe(1);
    expect(slots.queued).toBe(2);
    // Someone else is served at once, beside ann's first.
    const bo = task(log, 'bo');
    const boDone = slots.run('bo', bo.run);
    await settle();
    expect(log).toEqual(['start ann1', 'start bo']);
    bo.finish();
    await boDone;
    for (const t of ann) t.finish();
    await Promise.all(running);
    expect(log.filter((line) => line.startsWith('start'))).toEqual([
      'start ann1',
      'start bo',
      'start ann2',
      'start ann3',
    ]);
  });

  it('lends a lone party every slot, and takes its turn back once someone waits', async () => {
    const slots = new FairSlots({ capacity: 2, share: 1, lend: true });
    const log: string[] = [];
    const ann = [1, 2, 3].map((n) => task(log, `ann${n}`));
    const running = ann.map((t) => slots.run('ann', t.run));
    await settle();
    expect(slots.heldBy('ann')).toBe(2);
    const bo = task(log, 'bo');
    const boDone = slots.run('bo', bo.run);
    ann[0]!.finish();
    await running[0];
    await settle();
    // The slot ann gave back goes to bo, though ann3 waited first.
    expect(log.filter((line) => line.startsWith('start'))).toEqual([
      'start ann1',
      'start ann2',
      'start bo',
    ]);
    bo.finish();
    ann[1]!.finish();
    ann[2]!.finish();
    await Promise.all([...running, boDone]);
    expect(slots.busy).toBe(0);
  });

  it('lets a waiter give up, holding nothing', async () => {
    const slots = new FairSlots({ capacity: 1, share: 1 });
    const log: string[] = [];
    const first = task(log, 'first');
    const running = slots.run('ann', first.run);
    const controller = new AbortController();
    const waiting = slots.run('bo', async () => log.push('never'), controller.signal);
    await settle();
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(slots.queued).toBe(0);
    first.finish();
    await running;
    expect(log).toEqual(['start first', 'end first']);
    expect(slots.busy).toBe(0);
  });

  it('refuses a capacity or share that is not a positive whole number', () => {
    expect(() => new FairSlots({ capacity: 0, share: 1 })).toThrow(/capacity/);
    expect(() => new FairSlots({ capacity: 2, share: 1.5 })).toThrow(/share/);
  });

  it('gives shares that leave a slot free while two parties hold theirs', () => {
    expect([1, 2, 3, 4, 5, 8].map(fairShare)).toEqual([1, 1, 1, 1, 2, 3]);
    for (const capacity of [3, 4, 5, 8, 16]) expect(2 * fairShare(capacity)).toBeLessThan(capacity);
  });
});
