/**
 * Methods at the sandbox's speed: writes to self travel back with the result, reads of a
 * small self travel with the call — and nothing a method can observe differs from asking
 * the host each time.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS } from '../../../src/core/access/quotas.ts';
import { QuickJsMethodRunner, type MethodRunner } from '../../../src/core/sandbox/index.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { openTestCore } from '../../support/core.ts';

/** A real runner that counts how often a method is run. */
function countingRunner() {
  const runner = new QuickJsMethodRunner();
  let runs = 0;
  const counting: MethodRunner = {
    run: (call, host, party) => ((runs += 1), runner.run(call, host, party)),
    check: (source) => runner.check(source),
    close: () => runner.close(),
  };
  return { counting, runs: () => runs };
}

describe('kept writes', () => {
  it('run a method once: its kept writes are applied, not refused and run again', async () => {
    const { counting, runs } = countingRunner();
    const core = await openTestCore({ uvm: { runner: counting } });
    await core.ok(`genesis defineMethod bump "function (self, n) { self.set('n', n); return n; }"`);
    const before = runs();
    expect(await core.ok('genesis bump 7')).toBe('7');
    expect(runs() - before).toBe(1);
    expect(await core.ok('genesis n')).toBe('7');
  });

  it('reads what the method wrote, and callees see the caller’s writes', async () => {
    const core = await openTestCore();
    await core.ok('genesis setSlot n 1');
    await core.ok(`genesis defineMethod peek "function (self) { return self.get('n'); }"`);
    await core.ok(
      `genesis defineMethod bump "function (self) { const before = self.get('n'); self.set('n', before + 1); const mine = self.get('n'); const theirs = self.send('peek'); self.set('n', mine + 1); return [before, mine, theirs, self.get('n')]; }"`,
    );
    expect(await core.ok('genesis bump')).toBe('[1,2,2,3]');
    expect(await core.ok('genesis n')).toBe('3');
    const [last] = await core.image.history({ limit: 1 });
    expect(last!.changes.map((c) => [c.slot, c.after])).toEqual([
      ['n', { kind: 'value', value: 3 }],
    ]);
  });

  it('drops a failing callee’s kept writes and keeps its caller’s', async () => {
    const core = await openTestCore();
    await core.ok(
      `genesis defineMethod inner "function (self) { self.set('fromInner', 1); throw new Error('no'); }"`,
    );
    await core.ok(
      `genesis defineMethod outer "function (self) { self.set('fromOuter', 1); try { self.send('inner'); } catch (e) {} self.set('innerGone', self.get('fromInner') === undefined); return 'ok'; }"`,
    );
    expect(await core.ok('genesis outer')).toBe('ok');
    expect(await core.ok('genesis fromOuter')).toBe('1');
    expect(await core.ok('genesis innerGone')).toBe('true');
    expect(await core.ok('genesis respondsTo fromInner')).toBe('false');
  });

  it('meets a refused kept write at the line that made it, and changes nothing', async () => {
    const core = await openTestCore({
      uvm: { quotas: { ...DEFAULT_QUOTAS, maxObjectSlots: 8 } },
    });
    await core.ok(
      `genesis defineMethod spread "function (self) {\\n  for (let i = 0; i < 10; i++)\\n    self.set('s' + i, i);\\n  return 'spread';\\n}"`,
    );
    const before = await core.image.history({ limit: 100 });
    const reply = await core.say('genesis spread');
    // (Run twice: kept, refused at the end, then run asking at each write.)
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(
      /already has 8 slots; the limit is 8 \(BATOS_MAX_OBJECT_SLOTS\)/,
    );
    expect(await core.image.history({ limit: 100 })).toEqual(before);
    expect(JSON.parse(await core.ok('genesis slotNames'))).toEqual(['parent*', 'spread']);
  });

  it('asks the host at once when the method may not write self', async () => {
    const core = await openTestCore();
    const as = (id: string) => ({
      platform: 'discord' as const,
      sender: { id, name: id, isAdmin: false },
      adminChannel: false,
    });
    const base = await core.ok('genesis clone', as('mallory'));
    await core.ok(
      `${base} defineMethod tryIt "function (self) { try { self.set('x', 1); } catch (e) { return 'refused at once: ' + e.message; } return 'written'; }"`,
      as('mallory'),
    );
    expect(await core.ok(`${base} tryIt`, as('alice'))).toBe('written');
    // On alice's clone it runs as mallory, who may not write it: refused at the set itself.
    const child = await core.ok(`${base} clone`, as('alice'));
    expect(await core.ok(`${child} tryIt`, as('alice'))).toMatch(
      /^refused at once: #\d+ belongs to discord:alice/,
    );
  });

  it('takes back an in-thread run that reached its deadline, so its writes happen once on the worker', async () => {
    // Room for the long run to finish on a worker, however loaded the machine.
    const runner = new QuickJsMethodRunner({
      limits: { timeoutMs: 10_000, hardTimeoutMs: 15_000 },
    });
    const core = await openTestCore({ uvm: { runner } });
    const kid = await core.ok('genesis clone');
    await core.ok(`genesis setSlot kid ${kid}`);
    // It writes self (kept), the kid (a nested primitive send: at once, in the transaction)
    // and makes a clone, then loops n times: long enough, in-thread, to move to a worker.
    await core.ok(
      `genesis defineMethod tally "function (self, n) { self.set('count', (self.get('count') || 0) + 1); const kid = self.get('kid'); kid.send('setSlot', 'n', n); self.set('made', kid.send('clone')); for (let i = 0; i < n; i++) {} return self.get('count'); }"`,
    );
    // A worker runs it first; once short there, it runs in-thread (the realm starts meanwhile).
    let count = 0;
    while (runner.stats().inThread === 0) count = Number(await core.ok('genesis tally 0'));
    const moved = runner.stats().moved;
    const before = await core.image.history({ limit: 1000 });
    expect(await core.ok('genesis tally 1000000')).toBe(String(count + 1));
    expect(runner.stats().moved).toBe(moved + 1);
    const after = await core.image.history({ limit: 1000 });
    expect(after.length).toBe(before.length + 1);
    // One commit: count once, the kid's n once, one clone made and remembered.
    const changes = after[0]!.changes.map((c) => `${c.oid}.${c.slot}`);
    expect(changes.filter((c) => c.endsWith('.count'))).toHaveLength(1);
    expect(changes.filter((c) => c === `${kid.slice(1)}.n`)).toHaveLength(1);
    expect(changes.filter((c) => c.endsWith('.parent*'))).toHaveLength(1);
    expect(await core.ok(`${kid} n`)).toBe('1000000');
    expect(await core.ok('genesis count')).toBe(String(count + 1));
  });
});
