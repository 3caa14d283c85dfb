/**
 * A realm's memory stays flat over many calls: a call leaves nothing behind in QuickJS, so
 * neither a worker's realm (towards its memory limit) nor the in-thread one (towards its
 * small capped heap, which is then renewed) fills with calls' leftovers. Measured by QuickJS's
 * own count of live allocations, sampled along the way: QuickJS frees some garbage only at
 * its occasional GC, which the last sample alone could hide.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { QuickJsMethodRunner, type SandboxLimits } from '../../../src/core/sandbox/index.ts';
import { resolveLimits } from '../../../src/core/sandbox/limits.ts';
import { IN_THREAD_HEAP_BYTES } from '../../../src/core/sandbox/placement.ts';
import { RUN, SOURCE, VALUE } from '../../../src/core/sandbox/wire.mjs';
import { createCallServer, type CallServer } from '../../../src/core/sandbox/worker/calls.mjs';
import type { RealmOptions } from '../../../src/core/sandbox/worker/realm.mjs';
import { MemoryHost } from '../../support/fixtures/memory-host.ts';
import { TEST_LIMITS } from '../../support/fixtures/sandbox.ts';

const CALLS = 20_000;
const SAMPLE_EVERY = 1000;
/** What the realm may grow by over all the calls: a few allocations, not one per call. */
const MAX_GROWTH_ALLOCATIONS = 100;
const MAX_GROWTH_BYTES = 64 * 1024;

/** Reads a slot and passes a reference through: the guest's self, a Ref, a host request. */
const SOURCE_TEXT = 'function (self, other) { return [self.get("name"), other]; }';
const CALL_JSON = JSON.stringify({
  cacheKey: 'realm-memory',
  self: 1,
  caller: 'test',
  selector: 'echo',
  args: [{ $ref: 2 }],
  writable: false,
});

/** A call server whose host answers every request with the same slot value. */
function newServer(realm?: RealmOptions): Promise<CallServer> {
  return createCallServer({
    limits: resolveLimits(TEST_LIMITS),
    ask: (message) =>
      message[0] === SOURCE ? VALUE + JSON.stringify(SOURCE_TEXT) : VALUE + '"ROBIN"',
    fits: () => true,
    onCompile: () => undefined,
    realm,
  });
}

/** QuickJS's live allocations and the bytes its objects use. */
function usage(server: CallServer): { allocations: number; bytes: number } {
  const { ctx, runtime } = server.realm;
  const handle = runtime.computeMemoryUsage();
  const dump = ctx.dump(handle) as { malloc_count: number; memory_used_size: number };
  handle.dispose();
  return { allocations: dump.malloc_count, bytes: dump.memory_used_size };
}

/** Runs {@link CALLS} calls; returns the most the realm grew past its state after the first. */
function growthOver(server: CallServer): { allocations: number; bytes: number } {
  expect(server.run(RUN + CALL_JSON)).toBe('D[]\n["ROBIN",{"$ref":2}]');
  const start = usage(server);
  const most = { allocations: 0, bytes: 0 };
  for (let call = 1; call <= CALLS; call += 1) {
    server.run(RUN + CALL_JSON);
    if (call % SAMPLE_EVERY !== 0) continue;
    const now = usage(server);
    most.allocations = Math.max(most.allocations, now.allocations - start.allocations);
    most.bytes = Math.max(most.bytes, now.bytes - start.bytes);
  }
  return most;
}

describe("a realm's memory over many calls", () => {
  it(`stays flat over ${CALLS} calls in a worker's realm`, async () => {
    const growth = growthOver(await newServer());
    expect(growth.allocations).toBeLessThan(MAX_GROWTH_ALLOCATIONS);
    expect(growth.bytes).toBeLessThan(MAX_GROWTH_BYTES);
  });

  it(`stays flat over ${CALLS} calls in the in-thread realm's capped heap, which keeps its room`, async () => {
    const server = await newServer({ spareHeapBytes: IN_THREAD_HEAP_BYTES });
    const growth = growthOver(server);
    expect(growth.allocations).toBeLessThan(MAX_GROWTH_ALLOCATIONS);
    expect(growth.bytes).toBeLessThan(MAX_GROWTH_BYTES);
    expect(server.realm.outgrew).toBe(false);
    expect(server.realm.heapRoomy()).toBe(true);
  });
});

describe('the in-thread realm over many calls', () => {
  const limits: Partial<SandboxLimits> = { ...TEST_LIMITS, timeoutMs: 5000, hardTimeoutMs: 8000 };
  /** A small heap, which calls' leftovers would fill within a few thousand calls. */
  const small = new QuickJsMethodRunner({ limits, inThreadHeapBytes: 256 * 1024 });
  afterAll(() => small.close());

  it(`runs ${CALLS} short calls in-thread in one realm, never renewing it`, async () => {
    const host = new MemoryHost();
    const robin = host.create({ name: 'ROBIN' });
    host.defineMethod(robin, 'who', 'function (self) { return self.get("name"); }');
    // The first call runs on a worker, and the realm starts after it.
    for (let tries = 0; small.stats().inThread === 0; tries += 1) {
      if (tries === 200) throw new Error('the in-thread realm never started');
      await host.send(small, robin, 'who');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const before = small.stats();
    for (let call = 0; call < CALLS; call += 1) {
      await expect(host.send(small, robin, 'who')).resolves.toBe('ROBIN');
      // A bot's sends pass through the event loop, where a fresh realm's start would go on.
      if (call % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(small.stats()).toMatchObject({
      inThread: before.inThread + CALLS,
      moved: before.moved,
      realmsStarted: before.realmsStarted,
    });
  });
});
