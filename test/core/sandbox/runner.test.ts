import { afterAll, beforeEach, describe, expect, it, onTestFinished as onExit } from 'vitest';
import {
  QuickJsMethodRunner,
  SandboxError,
  type MethodCall,
} from '../../../src/core/sandbox/index.ts';
import { InternalError } from '../../../src/core/errors.ts';
import { newRunner, TEST_LIMITS } from '../../support/fixtures/sandbox.ts';
import { MemoryHost } from '../../support/fixtures/memory-host.ts';

const runner = newRunner();
afterAll(() => runner.close());

let host: MemoryHost;
let robin: number;
let brick: number;
beforeEach(() => {
  host = new MemoryHost();
  robin = host.create({ name: 'ROBIN', count: 0 });
  brick = host.create({ name: 'BRICK', friend: { $ref: robin } });
});

function method(source: string, self = robin, args: MethodCall['args'] = []): MethodCall {
  return { source, cacheKey: `test:${source}`, self, selector: 'test', args, caller: 'test' };
}

describe('QuickJsMethodRunner', () => {
  it('passes arguments and reads slots', async () => {
    host.defineMethod(
      robin,
      'greet',
      'function (self, who, times) { return "hello " + who + " x" + times + " from " + self.get("name"); }',
    );
    await expect(host.send(runner, robin, 'greet', 'alice', 2)).resolves.toBe(
      'hello alice x2 from ROBIN',
    );
  });

  it('counts with get and set, and removes and lists slots', async () => {
    host.defineMethod(
      robin,
      'increment',
      'function (self) { self.set("count", self.get("count") + 1); return self.get("count"); }',
    );
    await host.send(runner, robin, 'increment');
    await expect(host.send(runner, robin, 'increment')).resolves.toBe(2);
    expect(host.get(0, robin, 'count')).toBe(2);
    const source =
      'function (self) { self.remove("count"); return [self.slotNames(), self.get("count") === undefined, self.oid]; }';
    await expect(runner.run(method(source), host)).resolves.toEqual([
      ['name', 'increment'],
      true,
      robin,
    ]);
  });

  it('returns structured values, and nothing as null', async () => {
    await expect(
      runner.run(
        method('function () { return { a: [1, "two", null, true], b: { c: 3.5 } }; }'),
        host,
      ),
    ).resolves.toEqual({
      a: [1, 'two', null, true],
      b: { c: 3.5 },
    });
    await expect(runner.run(method('function () {}'), host)).resolves.toBeNull();
  });

  it('sends to itself, nested, in the same call', async () => {
    host.defineMethod(robin, 'double', 'function (self, n) { return n * 2; }');
    host.defineMethod(
      robin,
      'quadruple',
      'function (self, n) { return self.send("double", self.send("double", n)); }',
    );
    await expect(host.send(runner, robin, 'quadruple', 5)).resolves.toBe(20);
  });

  it('sends to another object through a reference, and passes references back', async () => {
    host.defineMethod(
      robin,
      'rename',
      'function (self, name) { self.set("name", name); return self; }',
    );
    const source =
      'function (self) { const friend = self.get("friend"); const same = friend.send("rename", "Robin"); self.set("last", same); return [friend.oid, same.oid]; }';
    await expect(runner.run(method(source, brick), host)).resolves.toEqual([robin, robin]);
    expect(host.get(0, robin, 'name')).toBe('Robin');
    expect(host.get(0, brick, 'last')).toEqual({ $ref: robin });
    await expect(
      runner.run(method('function (self) { return self.get("friend"); }', brick), host),
    ).resolves.toEqual({ $ref: robin });
  });

  it('takes references as arguments', async () => {
    const source = 'function (self, other) { return other.send("nameOf") + "!"; }';
    host.definePrimitive(brick, 'nameOf', 'nameOf', (oid) => host.get(0, oid, 'name') ?? null);
    await expect(runner.run(method(source, robin, [{ $ref: brick }]), host)).resolves.toBe(
      'BRICK!',
    );
  });

  it('gets a primitive result straight from resolveSend', async () => {
    host.definePrimitive(
      robin,
      'add',
      'add',
      (_self, args) => (args[0] as number) + (args[1] as number),
    );
    await expect(
      runner.run(method('function (self) { return self.send("add", 2, 3); }'), host),
    ).resolves.toBe(5);
  });

  it('turns host errors into plain guest errors', async () => {
    const caught =
      'function (self) { try { self.send("nonsense"); } catch (e) { return [e instanceof Error, e.message, Object.keys(e)]; } }';
    await expect(runner.run(method(caught), host)).resolves.toEqual([
      true,
      `object ${robin} does not understand nonsense`,
      [],
    ]);
    const uncaught = method(
      'function (self) { return self.get("friend").send("nonsense"); }',
      brick,
    );
    await expect(runner.run(uncaught, host)).rejects.toThrow(
      `object ${robin} does not understand nonsense`,
    );
    await expect(runner.run(uncaught, host)).rejects.toMatchObject({
      reason: 'error',
      selector: 'test',
      oid: brick,
    });
  });

  it('reports guest errors with the guest stack', async () => {
    const error = await runner
      .run(method('function () { throw new TypeError("nope"); }'), host)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ reason: 'error', message: 'TypeError: nope' });
    expect((error as SandboxError).guestStack).toContain('test.js');
  });

  it('refuses forged references, non-values and promises', async () => {
    const forged = method('function (self) { self.set("x", { $ref: 999 }); }');
    await expect(runner.run(forged, host)).rejects.toThrow('no reference to object 999');
    await expect(
      runner.run(method('function () { return { $ref: 999 }; }'), host),
    ).rejects.toMatchObject({ reason: 'invalid-result' });
    await expect(
      runner.run(method('function () { return function () {}; }'), host),
    ).rejects.toMatchObject({ reason: 'invalid-result' });
    await expect(
      runner.run(method('function () { return Promise.resolve(1); }'), host),
    ).rejects.toMatchObject({ reason: 'invalid-result' });
    await expect(
      runner.run(method('function (self) { return { $ref: self.oid }; }'), host),
    ).resolves.toEqual({ $ref: robin });
  });

  it('passes on the references it was given, but no copy or proxy of one', async () => {
    await expect(
      runner.run(
        method('function (self, other) { return [self, other]; }', robin, [{ $ref: brick }]),
        host,
      ),
    ).resolves.toEqual([{ $ref: robin }, { $ref: brick }]);
    await expect(
      runner.run(method('function (self) { return [Object.create(self)]; }'), host),
    ).resolves.toEqual([{}]);
    for (const copy of ['new Proxy(self, {})', '{ ...self }']) {
      await expect(
        runner.run(method(`function (self) { return [${copy}]; }`), host),
      ).rejects.toMatchObject({ reason: 'invalid-result' });
    }
  });

  it('compiles a source once per cache key, and again for a new key', async () => {
    // On a worker only: a method shown short there compiles in-thread too, once.
    const runner = new QuickJsMethodRunner({ limits: TEST_LIMITS, workers: 1, inThreadMs: 0 });
    onExit(() => runner.close());
    const source = 'function (self, n) { return n + 1; }';
    const call = (cacheKey: string, n: number): MethodCall => ({
      source,
      caller: 'test',
      cacheKey,
      self: robin,
      selector: 'inc',
      args: [n],
    });
    await runner.run(call('inc:v1', 1), host);
    const before = runner.stats().compiles;
    await expect(runner.run(call('inc:v1', 2), host)).resolves.toBe(3);
    await expect(runner.run(call('inc:v1', 3), host)).resolves.toBe(4);
    expect(runner.stats().compiles).toBe(before);
    await expect(
      runner.run({ ...call('inc:v2', 1), source: 'function (self, n) { return n + 100; }' }, host),
    ).resolves.toBe(101);
    expect(runner.stats().compiles).toBe(before + 1);
  });

  it('evicts the least recently used compiled method past the cache size, and runs it again', async () => {
    const small = new QuickJsMethodRunner({
      limits: { ...TEST_LIMITS, compileCacheSize: 2 },
      workers: 1,
      // The worker's cache: a method shown short there would compile in-thread too.
      inThreadMs: 0,
    });
    try {
      const call = (k: number): MethodCall => ({
        ...method(`function (self) { return ${k}; }`),
        cacheKey: `lru:${k}`,
      });
      for (const k of [1, 2, 1, 3]) await expect(small.run(call(k), host)).resolves.toBe(k);
      // 1 was used after 2, so 3 pushed 2 out: 1 and 3 run without compiling, 2 compiles again.
      const before = small.stats().compiles;
      await expect(small.run(call(1), host)).resolves.toBe(1);
      await expect(small.run(call(3), host)).resolves.toBe(3);
      expect(small.stats().compiles).toBe(before);
      await expect(small.run(call(2), host)).resolves.toBe(2);
      expect(small.stats().compiles).toBe(before + 1);
    } finally {
      await small.close();
    }
  });

  it('keeps no state between calls, not even on the method itself', async () => {
    const source = 'function counter(self) { counter.n = (counter.n || 0) + 1; return counter.n; }';
    await expect(runner.run(method(source), host)).rejects.toMatchObject({ reason: 'error' });
    await expect(
      runner.run(method('function () { globalThis.leak = 1; }'), host),
    ).rejects.toMatchObject({ reason: 'error' });
    await expect(
      runner.run(method('function () { return typeof globalThis.leak; }'), host),
    ).resolves.toBe('undefined');
  });

  it('runs queued calls one after another on a pool of one worker', async () => {
    const single = new QuickJsMethodRunner({ limits: TEST_LIMITS, workers: 1 });
    host.defineMethod(
      robin,
      'increment',
      'function (self) { self.set("count", self.get("count") + 1); return self.get("count"); }',
    );
    try {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map(() => host.send(single, robin, 'increment')),
      );
      expect(results).toEqual([1, 2, 3, 4, 5]);
      expect(single.stats().workersStarted).toBe(1);
    } finally {
      await single.close();
    }
  });

  it('kills a worker for its own time only: a call that answered while the host thread was held succeeds', async () => {
    const limits = { ...TEST_LIMITS, timeoutMs: 400, hardTimeoutMs: 400 };
    const held = new QuickJsMethodRunner({ limits, inThreadMs: 0 });
    onExit(() => held.close());
    host.defineMethod(
      robin,
      'count',
      'function (self, n) { for (let i = 0; i < n; i++) {} return n; }',
    );
    // The worker starts and compiles the method first, so the next call goes to it at once.
    await host.send(held, robin, 'count', 0);
    const { workersStarted } = held.stats();
    const answer = host.send(held, robin, 'count', 200_000);
    // The call is with the worker now. The host thread is held past the hard limit (as a
    // realm start or a long synchronous task may hold it) while the worker answers: the
    // answer waits for the host, and the limit must not count that wait as the worker's.
    await new Promise((resolve) => setImmediate(resolve));
    const until = performance.now() + limits.hardTimeoutMs * 2;
    while (performance.now() < until) {
      // Held.
    }
    await expect(answer).resolves.toBe(200_000);
    expect(held.stats().workersStarted).toBe(workersStarted);
  });

  it('refuses limits that would not protect the host', () => {
    expect(() => newRunner({ stackBytes: 1024 * 1024 })).toThrow(/256 KiB/);
    expect(() => newRunner({ timeoutMs: 0 })).toThrow(InternalError);
    expect(() => newRunner({ timeoutMs: 900, hardTimeoutMs: 500 })).toThrow(/hardTimeoutMs/);
    expect(() => new QuickJsMethodRunner({ inThreadHeapBytes: 0 })).toThrow(/inThreadHeapBytes/);
  });

  it('refuses calls after close', async () => {
    const closing = newRunner();
    await closing.close();
    await expect(closing.run(method('function () { return 1; }'), host)).rejects.toMatchObject({
      reason: 'closed',
    });
  });
});
