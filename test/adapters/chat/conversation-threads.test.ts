import { afterEach, describe, expect, it } from 'vitest';
import { ConversationThreads } from '../../../src/adapters/chat/conversation-threads.ts';
import type { FrontEndLedger } from '../../../src/core/protocol.ts';
import { temporaryLedger } from '../../support/ledger.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function imageLedger(): Promise<FrontEndLedger> {
  const { ledger, close } = await temporaryLedger();
  closers.push(close);
  return ledger;
}

/** The ledger, counting how often it is asked whether a thread was answered in. */
function counting(ledger: FrontEndLedger): FrontEndLedger & { asked: number } {
  return {
    asked: 0,
    firstDelivery: (platform, eventId) => ledger.firstDelivery(platform, eventId),
    rememberThread: (platform, thread) => ledger.rememberThread(platform, thread),
    answeredIn(platform, thread) {
      this.asked++;
      return ledger.answeredIn(platform, thread);
    },
  };
}

describe('ConversationThreads', () => {
  it('keeps the threads in the image ledger, where every process sees them, per platform', async () => {
    const ledger = await imageLedger();
    const here = new ConversationThreads(ledger, 'slack');
    const elsewhere = new ConversationThreads(ledger, 'slack');
    expect(await elsewhere.has('C1:100.1')).toBe(false);
    await here.remember('C1:100.1');
    expect(await elsewhere.has('C1:100.1')).toBe(true);
    expect(await new ConversationThreads(ledger, 'discord').has('C1:100.1')).toBe(false);
  });

  it('answers known threads from its cache, never caches a no, and forgets the least recent past its capacity', async () => {
    const ledger = counting(await imageLedger());
    const threads = new ConversationThreads(ledger, 'discord', 2);
    expect([await threads.has('x'), await threads.has('x')]).toEqual([false, false]);
    expect(ledger.asked).toBe(2);

    await threads.remember('a');
    await threads.remember('b');
    await threads.remember('a');
    await threads.remember('c');
    ledger.asked = 0;
    expect([await threads.has('a'), await threads.has('c')]).toEqual([true, true]);
    expect(ledger.asked).toBe(0);
    // Out of the cache, but not out of the image.
    expect(await threads.has('b')).toBe(true);
    expect(ledger.asked).toBe(1);
  });
});
