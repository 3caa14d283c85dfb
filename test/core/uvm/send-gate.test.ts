/**
 * The send gate on its own, with real asynchronous tasks: per-person shares, round robin
 * between people, work alone never overtaken, and reads beside everything. Assertions are on
 * order, never on time.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SendGate } from '../../../src/core/uvm/send-gate.ts';

/** A task that runs until `finish` is called, recording its start in `log`. */
function task(log: string[], name: string) {
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish: () => finish(),
    run: async () => {
      log.push(name);
      await done;
      await tick();
      return name;
    },
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await tick();
}

describe('SendGate', () => {
  it('holds a person to their share and lets others in beside them', async () => {
    const gate = new SendGate(4, 2);
    const log: string[] = [];
    const ann = [1, 2, 3].map((n) => task(log, `ann${n}`));
    const running = ann.map((t) => gate.shared('ann', t.run));
    const bo = task(log, 'bo');
    const boDone = gate.shared('bo', bo.run);
    await settle();
    // ann's third waits for a slot of her share, while bo is let in beside her.
    expect(log).toEqual(['ann1', 'ann2', 'bo']);
    for (const t of [...ann, bo]) t.finish();
    await Promise.all([...running, boDone]);
    expect(log).toEqual(['ann1', 'ann2', 'bo', 'ann3']);
    await gate.drain();
  });

  it('starts nothing new once work waits to run alone, and reads go on beside it', async () => {
    const gate = new SendGate(8);
    const log: string[] = [];
    const first = task(log, 'first');
    const firstDone = gate.shared('ann', first.run);
    const alone = task(log, 'alone');
    const aloneDone = gate.alone('bo', alone.run);
    const later = task(log, 'later');
    const laterDone = gate.shared('cy', later.run);
    await settle();
    expect(log).toEqual(['first']);
    // A read waits for nobody, not even work that waits to run alone.
    expect(await gate.read(() => 'read')).toBe('read');
    first.finish();
    await firstDone;
    await settle();
    expect(log).toEqual(['first', 'alone']);
    alone.finish();
    later.finish();
    await Promise.all([aloneDone, laterDone]);
    expect(log).toEqual(['first', 'alone', 'later']);
  });

  it('drains only once reads are done too', async () => {
    const gate = new SendGate(8);
    const log: string[] = [];
    const reading = task(log, 'read');
    const readDone = gate.read(reading.run);
    let drained = false;
    const draining = gate.drain().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    reading.finish();
    await readDone;
    await draining;
    expect(drained).toBe(true);
  });
});
