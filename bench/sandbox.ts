/**
 * Sandbox per-call overhead: a trivial method, a method making one host call, and a nested
 * send, on a warm runner (worker started, source compiled), on a worker and in-thread; and
 * how long a call doing one long native operation (unseen by the interrupt) holds the host
 * thread when it is sent to a method that runs in-thread, with the in-thread heap capped
 * (as now) and as big as its memory allows (as before the cap). Prints nothing itself.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { HostBridge, MethodCall, NestedSendResolution } from '../src/core/sandbox/index.ts';
import { IN_THREAD_HEAP_BYTES } from '../src/core/sandbox/placement.ts';
import { QuickJsMethodRunner, type QuickJsMethodRunnerOptions } from '../src/core/sandbox/index.ts';
import type { Oid, Value } from '../src/core/model/value.ts';
import { formatNumber, percentile, type BenchTable } from './table.ts';

const CALLS = 5000;
const WARMUP = 2000;

/** One object with one slot; `twice` resolves to a method, anything else fails. */
class BenchHost implements HostBridge {
  private readonly slots = new Map<string, Value>([['name', 'ROBIN']]);
  get(_frame: number, _oid: Oid, slot: string): Value | undefined {
    return this.slots.get(slot);
  }
  set(_frame: number, _oid: Oid, slot: string, value: Value): void {
    this.slots.set(slot, value);
  }
  remove(_frame: number, _oid: Oid, slot: string): void {
    this.slots.delete(slot);
  }
  rollback(frame: number): void {
    // Frame 0 is a call taken back to run again on a worker: these calls write nothing.
    if (frame !== 0) throw new Error('no nested method fails in this bench');
  }
  slotNames(): string[] {
    return [...this.slots.keys()];
  }
  resolveSend(
    _frame: number,
    oid: Oid,
    selector: string,
    args: readonly Value[],
  ): NestedSendResolution {
    if (selector !== 'twice') throw new Error(`${selector} not understood`);
    return {
      kind: 'method',
      call: call('twice', 'function (self, n) { return n * 2; }', oid, args),
    };
  }
}

function call(
  selector: string,
  source: string,
  self: Oid = 1,
  args: readonly Value[] = [],
): MethodCall {
  return { source, cacheKey: `bench:${selector}`, self, selector, args, caller: 'bench' };
}

const CASES: ReadonlyArray<[string, MethodCall]> = [
  ['trivial method (return 1)', call('one', 'function (self) { return 1; }')],
  ['one host call (self.get)', call('name', 'function (self) { return self.get("name"); }')],
  ['one nested send', call('nested', 'function (self) { return self.send("twice", 21); }')],
  [
    'trivial method, 4 KB source',
    call(
      'big',
      `function (self) {\n${'  // a comment line of a long method source.\n'.repeat(90)}  return 1;\n}`,
    ),
  ],
];

/** Where the calls run: every one on a worker, and short ones in-thread (the default). */
const PLACES: ReadonlyArray<[string, QuickJsMethodRunnerOptions]> = [
  ['worker', { inThreadMs: 0 }],
  ['in-thread', {}],
];

/** Native operations, each one call, and the sizes they are sent (n). */
const NATIVE: ReadonlyArray<[string, string, readonly number[]]> = [
  [
    'sort (default order)',
    'function (self, n) { return new Array(n).fill(1.5).sort().length; }',
    [10_000, 100_000],
  ],
  [
    'JSON.stringify',
    'function (self, n) { return JSON.stringify(new Array(n).fill({ a: 1, b: "xy" })).length; }',
    [10_000, 100_000],
  ],
  [
    'split a string',
    'function (self, n) { return "ab".repeat(n).split("").length; }',
    [10_000, 100_000],
  ],
];
const NATIVE_ROUNDS = 5;

/** The heaps in-thread: capped (the default), and as big as the realm's memory allows. */
const HEAPS: ReadonlyArray<[string, QuickJsMethodRunnerOptions]> = [
  ['capped (now)', {}],
  ['uncapped (before)', { inThreadHeapBytes: 12 * 1024 * 1024 }],
];

export async function benchSandbox(): Promise<BenchTable[]> {
  return [await benchOverhead(), await benchNativeHold()];
}

/**
 * How long one call holds the host thread: the synchronous part of `run`, which is the whole
 * in-thread run (to its answer, or to where it stops and moves to a worker).
 */
async function benchNativeHold(): Promise<BenchTable> {
  const host = new BenchHost();
  const rows: Record<string, string | number>[] = [];
  for (const [heap, options] of HEAPS) {
    const runner = new QuickJsMethodRunner(options);
    try {
      for (const [name, source, sizes] of NATIVE) {
        const methodCall = (n: number): MethodCall => ({
          ...call(`native ${name}`, source),
          args: [n],
        });
        // Short on a worker, then in-thread (the realm starts after the first such run).
        for (let i = 0; i < 50 && runner.stats().inThread === 0; i++) {
          await runner.run(methodCall(1), host);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const n of sizes) {
          const held: number[] = [];
          let moved = 0;
          for (let round = 0; round < NATIVE_ROUNDS; round++) {
            // Back in-thread: a worker run shows it short again, and the penalty of a party
            // that held the thread up is each round's own (a new party).
            const party = `bench:${heap}:${name}:${n}:${round}`;
            await runner.run(methodCall(1), host, party);
            const before = runner.stats().moved;
            const started = performance.now();
            const answer = runner.run(methodCall(n), host, party);
            held.push(performance.now() - started);
            await answer;
            moved += runner.stats().moved - before;
          }
          rows.push({
            operation: name,
            n,
            'in-thread heap': heap,
            'host thread held, median (ms)': formatNumber(percentile(held, 50), 1),
            'max (ms)': formatNumber(Math.max(...held), 1),
            'moved to a worker': `${moved}/${NATIVE_ROUNDS}`,
          });
        }
      }
    } finally {
      await runner.close();
    }
  }
  return {
    title:
      'Sandbox: how long one long native operation, sent to a method that runs in-thread, holds the host thread',
    rows,
    notes: [
      `In-thread heap capped: ${IN_THREAD_HEAP_BYTES / 1024} KiB beyond the realm's own; a call that needs more stops and runs again on a worker. Uncapped: the realm's whole 16 MiB memory, as before the cap.`,
      `Load average (1 min) at the end: ${formatNumber(loadavg()[0]!, 2)} on ${availableParallelism()} cores; Node ${process.versions.node}.`,
    ],
  };
}

async function benchOverhead(): Promise<BenchTable> {
  const host = new BenchHost();
  const rows: Record<string, string | number>[] = [];
  for (const [place, options] of PLACES) {
    const runner = new QuickJsMethodRunner(options);
    try {
      for (const [name, methodCall] of CASES) {
        for (let i = 0; i < WARMUP; i++) await runner.run(methodCall, host);
        const micros: number[] = [];
        for (let i = 0; i < CALLS; i++) {
          const start = performance.now();
          await runner.run(methodCall, host);
          micros.push((performance.now() - start) * 1000);
        }
        rows.push({
          case: name,
          where: place,
          calls: CALLS,
          'p50 µs': formatNumber(percentile(micros, 50)),
          'p99 µs': formatNumber(percentile(micros, 99)),
        });
      }
    } finally {
      await runner.close();
    }
  }
  return {
    title: 'Sandbox: per-call overhead on a warm QuickJS realm, on a worker and in-thread',
    rows,
    notes: [
      'On a worker: a round trip host → worker → host through a SharedArrayBuffer, each side spinning for its turn (host up to 0.1 ms, worker up to 0.5 ms) before it sleeps (Atomics.waitAsync / Atomics.wait). In-thread: the same realm code on the host thread, after one run on a worker showed the method short.',
      `Load average (1 min) at the end: ${formatNumber(loadavg()[0]!, 2)} on ${availableParallelism()} cores.`,
    ],
  };
}
