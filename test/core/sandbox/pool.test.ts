/**
 * The sandbox's pool of workers: calls run side by side on free workers, one person's calls
 * hold at most their share of them, and a stuck method's worker is stopped and replaced
 * while the others go on. Assertions are on which call finishes first, never on time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QuickJsMethodRunner, type MethodCall } from '../../../src/core/sandbox/index.ts';
import { TEST_LIMITS } from '../../support/fixtures/sandbox.ts';
import { MemoryHost } from '../../support/fixtures/memory-host.ts';

const runners: QuickJsMethodRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.close()));
});

function pool(workers: number, workersPerPerson?: number): QuickJsMethodRunner {
  const runner = new QuickJsMethodRunner({
    limits: TEST_LIMITS,
    workers,
    ...(workersPerPerson === undefined ? {} : { workersPerPerson }),
  });
  runners.push(runner);
  return runner;
}

function call(source: string, self: number): MethodCall {
  return { source, cacheKey: `pool:${source}`, self, selector: 'test', args: [], caller: 'test' };
}

const STUCK = 'function () { while (true) {} }';
const QUICK = 'function (self) { return self.get("name"); }';

/** Starts every worker of the pool, so no call below waits for a worker's start. */
async function warm(runner: QuickJsMethodRunner, host: MemoryHost, self: number): Promise<void> {
  await Promise.all(
    Array.from({ length: runner.workers }, (_, i) =>
      runner.run(call(QUICK, self), host, `warm:${i}`),
    ),
  );
}

describe('the sandbox pool', () => {
  it("answers one person's quick call while another's stuck methods outnumber the workers", async () => {
    const runner = pool(3);
    const host = new MemoryHost();
    const self = host.create({ name: 'desk' });
    await warm(runner, host, self);
    const finished: string[] = [];
    const stuck = Array.from({ length: 6 }, (_, i) =>
      runner.run(call(STUCK, self), host, 'discord:ann').then(
        () => finished.push(`ann ${i} ok`),
        (error: { reason?: string }) => finished.push(`ann ${i} ${error.reason}`),
      ),
    );
    const quick = runner
      .run(call(QUICK, self), host, 'discord:bo')
      .then((value) => finished.push(`bo ${String(value)}`));
    await Promise.all([...stuck, quick]);
    expect(finished[0]).toBe('bo desk');
    expect(finished.slice(1).sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => `ann ${i} timeout`).sort(),
    );
  });

  it("keeps one person's calls to their share of the workers", async () => {
    const runner = pool(4, 2);
    const host = new MemoryHost();
    const self = host.create({ name: 'desk' });
    let peak = 0;
    const sampling = setInterval(() => (peak = Math.max(peak, runner.stats().busy)), 1);
    try {
      await Promise.allSettled(
        Array.from({ length: 5 }, () => runner.run(call(STUCK, self), host, 'discord:ann')),
      );
    } finally {
      clearInterval(sampling);
    }
    expect(peak).toBe(2);
    // Each stuck method's worker was stopped and replaced; the pool still answers.
    await expect(runner.run(call(QUICK, self), host)).resolves.toBe('desk');
  });

  it('runs calls of different people side by side', async () => {
    const runner = pool(3);
    const host = new MemoryHost();
    const self = host.create({ name: 'desk' });
    // Each method waits until the other has started: on one worker they would both time out.
    const meet = (mine: string, theirs: string) =>
      `function (self) { self.set("${mine}", true); while (!self.get("${theirs}")) {} return "met" }`;
    const results = await Promise.all([
      runner.run(call(meet('ann', 'bo'), self), host, 'discord:ann'),
      runner.run(call(meet('bo', 'ann'), self), host, 'discord:bo'),
    ]);
    expect(results).toEqual(['met', 'met']);
  });
});
