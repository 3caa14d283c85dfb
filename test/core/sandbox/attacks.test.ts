/**
 * Hostile methods. Each must fail (or come back harmless) without touching the host, and the
 * runner must serve the next call correctly.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxFailureReason } from '../../../src/core/sandbox/index.ts';
import { newRunner } from '../../support/fixtures/sandbox.ts';
import { MemoryHost } from '../../support/fixtures/memory-host.ts';

const runner = newRunner();
/** Memory enough that only the hard wall-clock limit stops a long native operation. */
const roomy = newRunner({ memoryBytes: 96 * 1024 * 1024, wasmMemoryBytes: 160 * 1024 * 1024 });
afterAll(() => Promise.all([runner.close(), roomy.close()]));
const NATIVE_LOOP = 'for (;;) { "x".repeat(1e6).split("").join(""); }';

let host: MemoryHost;
let robin: number;
beforeEach(() => {
  host = new MemoryHost();
  robin = host.create({ name: 'ROBIN', count: 0 });
  host.defineMethod(
    robin,
    'greet',
    'function (self, who) { return "hello " + who + " from " + self.get("name"); }',
  );
});

let attacks = 0;

/**
 * Runs a hostile method; returns its result or failure reason, after checking the aftermath.
 * `inThread`: the method is first shown short on a worker (its body skipped), so that the
 * hostile call starts on the host thread's realm.
 */
async function attackIn(
  inThread: boolean,
  body: string,
): Promise<{ value?: unknown; reason?: SandboxFailureReason; message?: string }> {
  host.defineMethod(robin, 'attack', `function (self, go = true) { if (!go) return 0; ${body} }`);
  // Each attack is a party of its own: one that stalled the host thread runs on workers only.
  const party = `attacker:${(attacks += 1)}`;
  if (inThread) await warmInThread(party);
  const before = host.snapshot();
  const started = runner.stats();
  const outcome = await host.sendAs(party, runner, robin, 'attack').then(
    (value) => ({ value }),
    (error: { reason: SandboxFailureReason; message: string }) => ({
      reason: error.reason,
      message: error.message,
    }),
  );
  if (inThread) {
    // It started in-thread: answered there, or moved to a worker at the in-thread deadline.
    const { inThread: answered, moved } = runner.stats();
    expect(answered + moved).toBe(started.inThread + started.moved + 1);
  }
  expect(host.snapshot()).toBe(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  await expect(host.send(runner, robin, 'greet', 'alfred')).resolves.toBe(
    'hello alfred from ROBIN',
  );
  return outcome;
}

/** Sends `attack` with its body skipped until a call of it runs in-thread. */
async function warmInThread(party: string): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const { inThread } = runner.stats();
    await host.sendAs(party, runner, robin, 'attack', false).catch(() => undefined);
    if (runner.stats().inThread > inThread) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the attack never ran in-thread');
}

describe.each([
  ['on a worker', false],
  ['in-thread', true],
])('hostile methods, started %s', (_where, inThread) => {
  const attack = (body: string) => attackIn(inThread, body);

  it('cannot reach the host through constructors', async () => {
    expect(await attack('return self.constructor.constructor("return process")();')).toMatchObject({
      reason: 'error',
      message: expect.stringMatching(/process'? is not defined/),
    });
    expect(await attack('return Function("return process")();')).toMatchObject({ reason: 'error' });
    expect(
      await attack('return self.get.constructor("return typeof process + typeof require")();'),
    ).toEqual({
      value: 'undefinedundefined',
    });
  });

  it('finds no host globals', async () => {
    const probe = `const g = Function("return this")();
      return [typeof process, typeof require, typeof module, typeof setTimeout, typeof setInterval,
        typeof queueMicrotask, typeof console, typeof fetch, typeof WebAssembly, typeof Buffer,
        typeof host, typeof std, typeof os, g === globalThis, Object.getOwnPropertyNames(globalThis)];`;
    const { value } = await attack(probe);
    const [types, same, names] = [
      (value as unknown[]).slice(0, 13),
      (value as unknown[])[13],
      (value as unknown[])[14],
    ];
    expect(types).toEqual(Array(13).fill('undefined'));
    expect(same).toBe(true);
    expect(names).not.toContain('host');
    expect(names).not.toContain('WeakRef');
  });

  it('gets nothing of the host from host errors', async () => {
    const body = `try { self.send("nonsense"); } catch (e) {
        return [e.constructor === Error, Object.getPrototypeOf(e) === Error.prototype,
          e.constructor.constructor("return typeof process")(), String(e.stack).includes("node:")];
      }`;
    expect(await attack(body)).toEqual({ value: [true, true, 'undefined', false] });
  });

  it('cannot pollute prototypes, in the host or for the next method', async () => {
    expect(await attack('Object.prototype.polluted = 1; return ({}).polluted;')).toMatchObject({
      reason: 'error',
    });
    expect(await attack('Array.prototype.push = function () {}; return 1;')).toMatchObject({
      reason: 'error',
    });
    expect(await attack('const p = Object.getPrototypeOf(self); p.polluted = 1;')).toMatchObject({
      reason: 'error',
    });
    expect(
      await attack('return [({}).polluted === undefined, [].push.toString().includes("native")];'),
    ).toEqual({
      value: [true, true],
    });
  });

  it('cannot import', async () => {
    expect((await attack('return import("fs");')).reason).toMatch(/invalid-result|error/);
    expect(
      (await attack('import("fs").then(function (fs) { self.set("x", 1); }); return 1;')).reason,
    ).toBe('error');
  });

  it.each([
    ['an infinite loop', 'for (;;) {}', ['timeout']],
    [
      'a loop that catches its own interrupt',
      'for (;;) { try { for (;;) {} } catch (e) {} }',
      ['timeout'],
    ],
    ['a long native string operation in little memory', NATIVE_LOOP, ['timeout', 'memory']],
    [
      'a growing array',
      'const a = []; for (;;) a.push([1, 2, 3, 4, 5, 6, 7, 8]);',
      ['memory', 'timeout'],
    ],
    ['one huge allocation', 'return new ArrayBuffer(2 ** 30).byteLength;', ['memory']],
    ['a huge string', 'let s = "x"; for (;;) s += s;', ['memory', 'error']],
    [
      'an object with unbounded keys',
      'const o = {}; for (let i = 0; ; i++) o["k" + i] = i;',
      ['memory', 'timeout'],
    ],
    ['deep recursion', 'function f(n) { return f(n + 1) + 1; } return f(0);', ['stack']],
    // Refused as it compiles, which takes long on a worker too: it never runs in-thread.
    ...(inThread
      ? []
      : [
          [
            'a source nested too deep to parse',
            `return ${'('.repeat(30000)}1${')'.repeat(30000)};`,
            ['stack', 'crash', 'invalid-method'],
          ] as const,
        ]),
    ['a huge return value', 'return "x".repeat(2 * 1024 * 1024);', ['result-too-large']],
  ] as ReadonlyArray<readonly [string, string, readonly string[]]>)(
    'stops %s',
    async (_name, body, reasons) => {
      // Stopped by a limit, for the reason that limit gives: one left running fails by timeout.
      const { reason, message } = await attack(body);
      expect(reasons, message).toContain(reason);
    },
  );
});

describe('hostile methods', () => {
  it('stops a method that sends itself forever at the depth limit', async () => {
    host.defineMethod(robin, 'again', 'function (self, n) { return self.send("again", n + 1); }');
    const before = host.snapshot();
    await expect(host.send(runner, robin, 'again', 0)).rejects.toMatchObject({
      reason: 'depth',
      message: expect.stringMatching(/depth limit \(16\)/),
    });
    expect(host.snapshot()).toBe(before);
    await expect(host.send(runner, robin, 'greet', 'babs')).resolves.toBe('hello babs from ROBIN');
  });

  it('stops a long native operation at the hard limit, the host event loop ticking meanwhile', async () => {
    host.defineMethod(robin, 'attack', `function (self) { ${NATIVE_LOOP} }`);
    await roomy.run(
      {
        source: 'function () {}',
        cacheKey: 'warm',
        self: robin,
        selector: 'warm',
        args: [],
        caller: 'test',
      },
      host,
    );
    const before = host.snapshot();
    const ticks: number[] = [];
    const interval = setInterval(() => ticks.push(performance.now()), 10);
    const outcome = await host
      .send(roomy, robin, 'attack')
      .catch((e: { reason: string; message: string }) => e);
    clearInterval(interval);
    // The hard limit, not anything sooner, is what stopped it: the reason says which limit.
    expect(outcome).toMatchObject({
      reason: 'timeout',
      message: expect.stringMatching(/hard time limit/),
    });
    // The host's own timers ran while the worker was stuck: the host was never blocked. (How
    // often they ran depends on the machine's load, so only that they ran is asserted.)
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(host.snapshot()).toBe(before);
    await expect(host.send(roomy, robin, 'greet', 'alfred')).resolves.toBe(
      'hello alfred from ROBIN',
    );
  });
});
