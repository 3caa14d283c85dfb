/**
 * One person cannot stall everyone: their slow sends hold at most their share of the send
 * slots and the sandbox's workers, someone else's send is answered meanwhile, and reading
 * (classifying a message, `history`) takes no send slot at all. Real Bot, real UVM, real
 * sandbox over a real SQLite image; every assertion is on which answer comes first, or on
 * how many sends ran at once, never on time.
 */
import { describe, expect, it } from 'vitest';
import { fairShare } from '../../../src/core/fairness/index.ts';
import { SENDS_AT_ONCE } from '../../../src/core/uvm/send-gate.ts';
import type { Send } from '../../../src/core/protocol.ts';
import {
  QuickJsMethodRunner,
  type HostBridge,
  type MethodCall,
  type MethodRunner,
  type SandboxLimits,
} from '../../../src/core/sandbox/index.ts';
import type { Value } from '../../../src/core/model/value.ts';
import { openTestCore } from '../../support/core.ts';
import { replyToPlainText } from '../../support/reply-text.ts';

const someone = (id: string, platform: 'discord' | 'slack' = 'discord'): Partial<Send> => ({
  platform,
  sender: { id, name: id, isAdmin: false },
  channel: `dm-${id}`,
  adminChannel: false,
});

/** Short limits, so stuck methods end soon; `slowMs` is how long each one holds on. */
function limits(slowMs: number): Partial<SandboxLimits> {
  return { timeoutMs: slowMs, hardTimeoutMs: slowMs + 500 };
}

/** A real runner that counts, per person, the calls in it at once. */
class CountingRunner implements MethodRunner {
  readonly inFlight = new Map<string, number>();
  readonly peak = new Map<string, number>();
  private waiters: Array<{ total: number; resolve: () => void }> = [];

  constructor(private readonly inner: QuickJsMethodRunner) {}

  get total(): number {
    let total = 0;
    for (const n of this.inFlight.values()) total += n;
    return total;
  }

  /** Resolves once `total` calls are in the runner at once. */
  reached(total: number): Promise<void> {
    return this.total >= total
      ? Promise.resolve()
      : new Promise((resolve) => this.waiters.push({ total, resolve }));
  }

  async run(call: MethodCall, host: HostBridge, party = 'nobody'): Promise<Value> {
    const now = (this.inFlight.get(party) ?? 0) + 1;
    this.inFlight.set(party, now);
    this.peak.set(party, Math.max(this.peak.get(party) ?? 0, now));
    this.waiters = this.waiters.filter((w) =>
      this.total >= w.total ? (w.resolve(), false) : true,
    );
    try {
      return await this.inner.run(call, host, party);
    } finally {
      this.inFlight.set(party, (this.inFlight.get(party) ?? 1) - 1);
    }
  }

  check(source: string): void {
    this.inner.check(source);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** One person's default share of the send slots. */
const SHARE = fairShare(SENDS_AT_ONCE);

const STALL = `genesis defineMethod stall "function (self) { while (true) {} }"`;
const GREET = `genesis defineMethod greet "function (self, name) { return 'hi ' + name }"`;

describe('fairness between people', () => {
  it("answers one person's trivial send before any of another's 18 stuck sends", async () => {
    const core = await openTestCore({
      uvm: { runner: new QuickJsMethodRunner({ limits: limits(600), workers: 3 }) },
    });
    await core.ok(STALL);
    await core.ok(GREET);
    // Every worker started, so no send below waits for a worker's start.
    await Promise.all(['cy', 'di', 'ed'].map((p) => core.ok(`genesis greet ${p}`, someone(p))));
    const finished: string[] = [];
    // One person on two accounts, as in the issue: nine stuck sends from each.
    const stuck = Array.from({ length: 18 }, (_, i) =>
      core
        .say('genesis stall', someone('ann', i % 2 === 0 ? 'discord' : 'slack'))
        .then((reply) => finished.push(`ann ${reply.status}`)),
    );
    const trivial = core
      .say('genesis greet bo', someone('bo'))
      .then((reply) => finished.push(`bo ${replyToPlainText(reply)}`));
    await Promise.all([...stuck, trivial]);
    expect(finished[0]).toBe('bo hi bo');
    expect(finished.slice(1)).toEqual(Array(18).fill('ann error'));
  });

  it('holds one person to their share of the send slots while others wait', async () => {
    const runner = new CountingRunner(
      new QuickJsMethodRunner({ limits: limits(300), workers: 8, workersPerPerson: 8 }),
    );
    const core = await openTestCore({ uvm: { runner } });
    await core.ok(STALL);
    // ann sends enough to fill every slot but one, bo his share: ann is held to hers anyway.
    const ann = Array.from({ length: SENDS_AT_ONCE - 1 }, () =>
      core.say('genesis stall', someone('ann')),
    );
    const bo = Array.from({ length: SHARE }, () => core.say('genesis stall', someone('bo')));
    const replies = await Promise.all([...ann, ...bo]);
    expect(replies.every((reply) => reply.status === 'error')).toBe(true);
    // The default share (7 of 16 slots) leaves a slot free while two people are at it.
    expect(2 * SHARE).toBeLessThan(SENDS_AT_ONCE);
    expect(runner.peak.get('discord:ann')).toBe(SHARE);
    expect(runner.peak.get('discord:bo')).toBe(SHARE);
  });

  it('reads the message and answers history while every send slot is held', async () => {
    const runner = new CountingRunner(
      new QuickJsMethodRunner({ limits: limits(2000), workers: 8, workersPerPerson: 8 }),
    );
    const core = await openTestCore({ uvm: { runner } });
    await core.ok(STALL);
    await core.ok('genesis setSlot note "kept"');
    const finished: string[] = [];
    const people = ['ann', 'bo', 'cy'];
    const stuck = people.flatMap((person) =>
      Array.from({ length: SHARE }, () =>
        core.say('genesis stall', someone(person)).then(() => finished.push('stuck')),
      ),
    );
    // Sixteen sends hold the sixteen slots (seven, seven, two); the rest wait their turn.
    expect(people.length * SHARE).toBeGreaterThan(SENDS_AT_ONCE);
    await runner.reached(SENDS_AT_ONCE);
    const history = await core.ok('history genesis');
    finished.push('history');
    expect(history).toContain('note');
    expect(finished).toEqual(['history']);
    await Promise.all(stuck);
    expect(finished).toHaveLength(people.length * SHARE + 1);
  });
});
