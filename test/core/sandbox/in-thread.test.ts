/**
 * Short calls on the host thread: a method runs in-thread once a worker run showed it short,
 * gives what a worker gives, and a call that reaches the in-thread deadline runs again from
 * the start on a worker, its effects taken back first, so each write happens once. Limits
 * hold in-thread, and a party whose call held the host thread up runs on workers for a while.
 * Assertions are on results, the store and the runner's counters, never on time.
 */
import { afterAll, beforeEach, describe, expect, it, onTestFinished as onExit } from 'vitest';
import { QuickJsMethodRunner, type SandboxLimits } from '../../../src/core/sandbox/index.ts';
import type { Value } from '../../../src/core/model/value.ts';
import { TEST_LIMITS } from '../../support/fixtures/sandbox.ts';
import { MemoryHost } from '../../support/fixtures/memory-host.ts';

/** Room for a loop far past the in-thread deadline to finish on a worker, even when loaded. */
const ROOMY: Partial<SandboxLimits> = { ...TEST_LIMITS, timeoutMs: 5000, hardTimeoutMs: 8000 };
const runner = new QuickJsMethodRunner({ limits: ROOMY });
const workersOnly = new QuickJsMethodRunner({ limits: ROOMY, inThreadMs: 0 });
/** The test limits, so a runaway method is stopped soon. */
const quick = new QuickJsMethodRunner({ limits: TEST_LIMITS });
const quickWorkersOnly = new QuickJsMethodRunner({ limits: TEST_LIMITS, inThreadMs: 0 });
afterAll(() =>
  Promise.all([runner, workersOnly, quick, quickWorkersOnly].map((each) => each.close())),
);

/** Counts `n` down in a plain loop, far past the in-thread deadline for a large `n`. */
const SPIN = 'for (let i = 0; i < n; i++) {}';

let host: MemoryHost;
let robin: number;
let log: number;
/** A fresh store: ROBIN, and a log it holds, which appends entries. */
function freshHost(): void {
  host = new MemoryHost();
  robin = host.create({ name: 'ROBIN', count: 0 });
  log = host.create({ entries: [] });
  host.defineMethod(
    log,
    'append',
    'function (self, entry) { self.set("entries", self.get("entries").concat([entry])); return entry; }',
  );
  host.set(0, robin, 'log', { $ref: log });
}
beforeEach(freshHost);

/** {@link inThreadReadyOn} {@link runner}. */
async function inThreadReady(selector: string, ...args: Value[]): Promise<void> {
  await inThreadReadyOn(runner, selector, ...args);
}

/** {@link inThreadReadyAs} outside any person's send. */
async function inThreadReadyOn(
  on: QuickJsMethodRunner,
  selector: string,
  ...args: Value[]
): Promise<void> {
  await inThreadReadyAs(undefined, on, selector, ...args);
}

/**
 * Sends to ROBIN on `on`, as `party`'s, until a call runs in-thread: the first runs on a
 * worker, and the realm starts after it.
 */
async function inThreadReadyAs(
  party: string | undefined,
  on: QuickJsMethodRunner,
  selector: string,
  ...args: Value[]
): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const before = on.stats().inThread;
    await host.sendAs(party, on, robin, selector, ...args);
    if (on.stats().inThread > before) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the in-thread realm never started');
}

describe('short calls in-thread', () => {
  it('starts its realm only once a method proved short, and not while a call is on a worker', async () => {
    // Time enough for the gated call to outwait a worker's start on a loaded machine.
    const lazy = new QuickJsMethodRunner({
      limits: { ...ROOMY, timeoutMs: 20_000, hardTimeoutMs: 20_000 },
    });
    onExit(() => lazy.close());
    await new Promise((resolve) => setTimeout(resolve, 50));
    // No method ran: no realm, whose start would hold the host thread up.
    expect(lazy.stats().realmsStarted).toBe(0);

    // A call waits on a worker for a gate the test opens, while a short method proves short
    // on another worker: the realm must wait for the first call to end.
    const gate = host.create({ open: false });
    host.defineMethod(gate, 'isOpen', 'function (self) { return self.get("open"); }');
    host.set(0, robin, 'gate', { $ref: gate });
    host.defineMethod(
      robin,
      'waitForGate',
      'function (self) { const gate = self.get("gate"); while (!gate.send("isOpen")) {} return "through"; }',
    );
    host.defineMethod(robin, 'who', 'function (self) { return self.get("name"); }');
    // Two people: one person's calls would queue for their share of the workers.
    const waiting = host.sendAs('discord:ann', lazy, robin, 'waitForGate');
    // Its first run compiles it, which may take it past "short"; the next ones are short.
    for (let i = 0; i < 3; i += 1)
      await expect(host.sendAs('discord:bo', lazy, robin, 'who')).resolves.toBe('ROBIN');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lazy.stats()).toMatchObject({ realmsStarted: 0, busy: 1 });

    host.set(0, gate, 'open', true);
    await expect(waiting).resolves.toBe('through');
    await inThreadReadyOn(lazy, 'who');
    expect(lazy.stats().realmsStarted).toBe(1);
  });

  it('runs a short method in-thread once a worker showed it short, with the same result and writes', async () => {
    const source =
      'function (self, by) { const n = self.get("count") + by; self.set("count", n); self.get("log").send("append", n); return { n: n, name: self.get("name"), log: self.get("log") }; }';
    host.defineMethod(robin, 'bump', source);
    const before = runner.stats();
    // New to the runner: a worker runs it first.
    const first = await host.send(runner, robin, 'bump', 1);
    expect(runner.stats().inThread).toBe(before.inThread);
    await inThreadReady('bump', 1);
    const inThread = runner.stats().inThread;
    const onHost = await host.send(runner, robin, 'bump', 1);
    expect(runner.stats().inThread).toBe(inThread + 1);
    const afterInThread = host.snapshot();

    // The same sends on a runner whose calls all run on workers leave the same store.
    const calls = (host.get(0, robin, 'count') as number) - 1;
    freshHost();
    host.defineMethod(robin, 'bump', source);
    const workerFirst = await host.send(workersOnly, robin, 'bump', 1);
    for (let i = 1; i < calls; i += 1) await host.send(workersOnly, robin, 'bump', 1);
    const onWorker = await host.send(workersOnly, robin, 'bump', 1);
    expect(workersOnly.stats().inThread).toBe(0);
    expect(workerFirst).toEqual(first);
    expect(onWorker).toEqual(onHost);
    expect(host.snapshot()).toBe(afterInThread);
  });

  it('runs a call past the in-thread deadline again on a worker, each of its writes once', async () => {
    // It writes self and, through a nested send, another object, then runs long: the
    // in-thread run's writes reached the host and must be taken back.
    host.defineMethod(
      robin,
      'tally',
      `function (self, n) { self.set("count", self.get("count") + 1); self.get("log").send("append", n); ${SPIN} return self.get("count"); }`,
    );
    await host.send(runner, robin, 'tally', 0);
    await inThreadReady('tally', 0);
    const count = host.get(0, robin, 'count') as number;
    const moved = runner.stats().moved;

    await expect(host.send(runner, robin, 'tally', 1_000_000)).resolves.toBe(count + 1);
    expect(runner.stats().moved).toBe(moved + 1);
    expect(host.get(0, robin, 'count')).toBe(count + 1);
    expect(host.get(0, log, 'entries')).toEqual([...Array(count).fill(0), 1_000_000]);

    // The method proved long: its next call goes straight to a worker, short or not.
    const inThread = runner.stats().inThread;
    await expect(host.send(runner, robin, 'tally', 0)).resolves.toBe(count + 2);
    expect(runner.stats()).toMatchObject({ inThread, moved: moved + 1 });
  });

  it('stops a runaway method that started in-thread with the refusal a worker gives', async () => {
    host.defineMethod(robin, 'run', 'function (self, forever) { while (forever) {} return 1; }');
    await inThreadReadyOn(quick, 'run', false);
    const moved = quick.stats().moved;
    const fromInThread = await host.send(quick, robin, 'run', true).catch((e: unknown) => e);
    expect(quick.stats().moved).toBe(moved + 1);
    const fromWorker = await host
      .send(quickWorkersOnly, robin, 'run', true)
      .catch((e: unknown) => e);
    expect(fromInThread).toMatchObject({ reason: 'timeout' });
    expect(fromInThread).toMatchObject({
      reason: (fromWorker as { reason: string }).reason,
      message: (fromWorker as { message: string }).message,
    });
    expect(host.get(0, robin, 'count')).toBe(0);
  });

  it('holds the memory limit in-thread; the party that broke the realm runs on workers a while', async () => {
    host.defineMethod(
      robin,
      'hoard',
      'function (self, big) { return big ? "x".repeat(64 * 1024 * 1024).length : 0; }',
    );
    await inThreadReadyAs('discord:cy', runner, 'hoard', false);
    const { inThread, moved, realmsStarted } = runner.stats();
    await expect(host.sendAs('discord:cy', runner, robin, 'hoard', true)).rejects.toMatchObject({
      reason: 'memory',
    });
    // Refused in-thread, by the workers' own limit, which QuickJS checks before it allocates:
    // not moved to a worker.
    expect(runner.stats()).toMatchObject({ inThread: inThread + 1, moved });
    // The realm was dropped, as a worker would be, and starting another holds the host
    // thread up: that party's calls run on workers; another's run in-thread on a fresh realm.
    await expect(host.sendAs('discord:cy', runner, robin, 'hoard', false)).resolves.toBe(0);
    expect(runner.stats().inThread).toBe(inThread + 1);
    await inThreadReadyAs('discord:dee', runner, 'hoard', false);
    expect(runner.stats().realmsStarted).toBe(realmsStarted + 1);
  });

  it('runs again on a worker a call that needs more than the in-thread heap, even if it catches the failure', async () => {
    // A native sort, unseen by the interrupt: in-thread it would hold the host thread up.
    // Its array does not fit the in-thread heap, so it stops at once, and a method that
    // catches the failure still answers what it answers on a worker.
    host.defineMethod(
      robin,
      'sorted',
      'function (self, n) { try { return new Array(n).fill(1.5).sort().length; } catch (e) { return String(e); } }',
    );
    await inThreadReady('sorted', 10);
    const { inThread, moved, realmsStarted } = runner.stats();
    await expect(host.send(runner, robin, 'sorted', 200_000)).resolves.toBe(200_000);
    expect(runner.stats()).toMatchObject({ inThread, moved: moved + 1 });
    // The realm is kept (QuickJS recovers from a failed allocation): short calls go on in it.
    await inThreadReady('sorted', 10);
    expect(runner.stats().realmsStarted).toBe(realmsStarted);
  });

  it('renews the in-thread realm as compiled methods fill its capped heap, answering every call', async () => {
    // A call leaves nothing behind (see realm-memory.test.ts), but compiled methods stay, up
    // to the compile cache's size: many of them fill a small in-thread heap, and the realm is
    // then renewed rather than sending every later call to a worker.
    const small = new QuickJsMethodRunner({ limits: ROOMY, inThreadHeapBytes: 256 * 1024 });
    onExit(() => small.close());
    const METHODS = 500;
    for (let n = 0; n < METHODS; n += 1)
      host.defineMethod(robin, `who${n}`, `function (self) { return self.get("name") + ${n}; }`);
    await inThreadReadyOn(small, 'who0');
    const before = small.stats();
    for (let round = 0; round < 3; round += 1) {
      for (let n = 0; n < METHODS; n += 1) {
        await expect(host.send(small, robin, `who${n}`)).resolves.toBe(`ROBIN${n}`);
        // A bot's sends pass through the event loop, where the fresh realm's start goes on.
        if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const after = small.stats();
    expect(after.realmsStarted).toBeGreaterThan(before.realmsStarted);
    // Calls went on in-thread: a full heap did not send them all to workers.
    expect(after.inThread - before.inThread).toBeGreaterThan(METHODS / 2);
  });

  it('runs on workers only, for a while, the calls of a party whose call held the host thread up', async () => {
    // A string search runs natively, unseen by the interrupt: a needle of n letters that
    // almost matches everywhere in a haystack of 2n costs n² comparisons in little memory
    // (n = 20,000 holds the host thread for a tenth of a second or more), so it runs
    // in-thread to its end, past the stall threshold, and is not moved for its heap.
    const held = new QuickJsMethodRunner({ limits: ROOMY });
    onExit(() => held.close());
    host.defineMethod(
      robin,
      'search',
      'function (self, n) { return "a".repeat(2 * n).indexOf("a".repeat(n) + "b"); }',
    );
    host.defineMethod(robin, 'who', 'function (self) { return self.get("name"); }');
    await inThreadReadyAs('discord:ann', held, 'search', 1);
    await inThreadReadyOn(held, 'who');

    const before = held.stats();
    await expect(host.sendAs('discord:ann', held, robin, 'search', 20_000)).resolves.toBe(-1);
    // The search itself ran in-thread, to its end.
    const { inThread, moved } = held.stats();
    expect({ inThread, moved }).toEqual({ inThread: before.inThread + 1, moved: before.moved });
    await expect(host.sendAs('discord:ann', held, robin, 'who')).resolves.toBe('ROBIN');
    expect(held.stats().inThread).toBe(inThread);
    // Someone else's short call still runs in-thread.
    await expect(host.sendAs('discord:bo', held, robin, 'who')).resolves.toBe('ROBIN');
    expect(held.stats().inThread).toBe(inThread + 1);
  });
});
