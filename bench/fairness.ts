/**
 * One member cannot stall everyone: the latency of another person's trivial sends (a method,
 * a primitive) and of `history` while one person — on two accounts, as in issue #20 — keeps
 * 18 sends of `while (true) {}` in flight, each stopped by the sandbox's time limit and sent
 * again at once. Measured in one run for the configuration before fairness (one sandbox
 * worker, no per-person share of the send slots) and for the defaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Image } from '../src/core/image/index.ts';
import { DEFAULT_SANDBOX_WORKERS, QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { fairShare } from '../src/core/fairness/index.ts';
import { SENDS_AT_ONCE } from '../src/core/uvm/send-gate.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { person, sendLine } from './operator.ts';
import { formatNumber, percentile, type BenchTable } from './table.ts';

/** The slow person's sends in flight at once, and how long the other's are measured. */
const SLOW_SENDS = 18;
const MEASURE_MS = 12_000;

interface Configuration {
  readonly label: string;
  readonly workers: number;
  /** Per-person shares; undefined for the defaults. */
  readonly sendsPerPerson?: number;
  readonly workersPerPerson?: number;
}

const CONFIGURATIONS: readonly Configuration[] = [
  {
    label: `before: 1 worker, no per-person share of the ${SENDS_AT_ONCE} send slots`,
    workers: 1,
    sendsPerPerson: SENDS_AT_ONCE,
    workersPerPerson: 1,
  },
  {
    label: `now: ${DEFAULT_SANDBOX_WORKERS} workers and the default shares`,
    workers: DEFAULT_SANDBOX_WORKERS,
  },
];

/** What the other person does in turn, one at a time, while the slow sends run. */
const PROBES = ['trivial method (genesis greet bo)', 'primitive (genesis slotNames)', 'history'];

async function measure(config: Configuration): Promise<Array<Record<string, string>>> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-fairness-'));
  const uvm = new Uvm({
    image: await Image.open(join(dir, 'image.db')),
    runner: new QuickJsMethodRunner({
      workers: config.workers,
      ...(config.workersPerPerson === undefined
        ? {}
        : { workersPerPerson: config.workersPerPerson }),
    }),
    ...(config.sendsPerPerson === undefined ? {} : { sendsPerPerson: config.sendsPerPerson }),
  });
  const ann = [person('discord', 'ann'), person('slack', 'ann')];
  const bo = person('discord', 'bo');
  try {
    await uvm.bootstrap({ who: 'system:bench', platform: 'console' });
    await sendLine(uvm, `genesis defineMethod stall "function (self) { while (true) {} }"`);
    await sendLine(uvm, `genesis defineMethod greet "function (self, who) { return 'hi ' + who }"`);
    // Warm: every worker started, the method compiled.
    await Promise.all(
      Array.from({ length: config.workers }, (_, i) =>
        sendLine(uvm, 'genesis greet bo', person('discord', `warm${i}`)),
      ),
    );
    let stalling = true;
    let stalled = 0;
    const slow = Array.from({ length: SLOW_SENDS }, async (_, i) => {
      while (stalling) {
        await sendLine(uvm, 'genesis stall', ann[i % 2]).catch(() => (stalled += 1));
      }
    });
    const probes: Array<() => Promise<unknown>> = [
      () => sendLine(uvm, 'genesis greet bo', bo),
      () => sendLine(uvm, 'genesis slotNames', bo),
      () => uvm.history(bo),
    ];
    const latencies: number[][] = PROBES.map(() => []);
    const stop = performance.now() + MEASURE_MS;
    for (let n = 0; performance.now() < stop; n += 1) {
      const at = performance.now();
      await probes[n % probes.length]!();
      latencies[n % probes.length]!.push(performance.now() - at);
    }
    stalling = false;
    await Promise.all(slow);
    return PROBES.map((probe, i) => ({
      configuration: config.label,
      "the other person's": probe,
      samples: String(latencies[i]!.length),
      'p50 ms': formatNumber(percentile(latencies[i]!, 50), 1),
      'p99 ms': formatNumber(percentile(latencies[i]!, 99), 1),
      'slow sends stopped': String(stalled),
    }));
  } finally {
    await uvm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchFairness(): Promise<BenchTable> {
  const load = loadavg()[0]!;
  const rows = [];
  for (const config of CONFIGURATIONS) rows.push(...(await measure(config)));
  return {
    title: `Fairness: another person's sends while one person keeps ${SLOW_SENDS} stuck methods in flight (ms)`,
    rows,
    notes: [
      `Both configurations measured in this run, ${MEASURE_MS / 1000} s each, on ${availableParallelism()} cores (load average ${formatNumber(load, 1)} at the start). The slow person sends from two accounts, nine sends each, every one \`while (true) {}\` stopped by the 1 s time limit and sent again at once.`,
      `Before: every method waited for the one worker behind the slow person's, and the slow person could hold all the send slots. Now: one person holds at most ${fairShare(SENDS_AT_ONCE)} of the ${SENDS_AT_ONCE} send slots and (workers − 1) / 2 of the workers, and reading (history, classifying a message) takes no send slot.`,
      'Not switched back in the "before" rows: waiting is round robin by person in both (it was first come, first served, which the issue measured at 17.5 s for slotNames), and history reads without a send slot in both (it waited for one, 19 s in the issue).',
      'Target: the trivial method send under 250 ms at p99.',
    ],
  };
}
