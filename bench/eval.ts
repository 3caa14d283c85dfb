/**
 * The method-writing evaluation's 44 tasks on the forged model scripted by
 * tools/eval/forged-script.json (the figures `npm run eval` gives on it are fixed): the
 * suite's time (later calls and repairs included), and per kept method what writing it cost
 * (the model and the static checks) beside what checking and running it cost (its first run
 * in a transaction, kept only if it passes, and its examples rolled back), anchored on a
 * plain send of the same call once it is kept. Every figure is from this run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mind } from '../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../src/core/uvm/mind-writer.ts';
import type { MethodWriter } from '../src/core/uvm/method-writer.ts';
import { runEval, summarize } from '../tools/eval/run.ts';
import { EVAL_TASKS } from '../tools/eval/tasks.ts';
import { readForgeScript } from '../tools/forge/index.ts';
import { forgedBenchMind } from './forged-mind.ts';
import { formatNumber, median, type BenchTable } from './table.ts';

const SCRIPT = join(import.meta.dirname, '..', 'tools', 'eval', 'forged-script.json');

export async function benchEval(): Promise<BenchTable> {
  const { config } = await forgedBenchMind({ contextSize: 4096 }, await readForgeScript(SCRIPT));
  const mind = await Mind.load(config);
  const runner = new QuickJsMethodRunner();
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-eval-'));
  try {
    // Each task's first write's time (generation, then the static checks), by its selector;
    // retries and repairs (told what failed) are not among the medians below.
    const writing = new MindMethodWriter(mind, runner);
    const writeMs = new Map<string, number>();
    const writer: MethodWriter = {
      async write(request, signal) {
        if (request.failedAttempts !== undefined) return writing.write(request, signal);
        const started = performance.now();
        try {
          return await writing.write(request, signal);
        } finally {
          writeMs.set(request.selector, performance.now() - started);
        }
      },
    };
    const results = await runEval({ dir, writer, attempts: 3, tasks: EVAL_TASKS, again: true });
    const summary = summarize(results);
    // Tasks kept at the first attempt: one write, one check, then a plain send of the same call.
    const kept = results.filter((r) => r.passed && r.attempts === 1);
    const write = kept.map((r) => writeMs.get(r.selector)!);
    const check = kept.map((r) => r.ms - writeMs.get(r.selector)!);
    const send = kept.map((r) => r.againMs!);
    const row = (what: string, values: readonly number[]) => ({
      'per kept method': what,
      'median ms': formatNumber(median(values), 2),
      '× a plain send': formatNumber(median(values) / median(send), 1),
    });
    return {
      title: `Eval suite on the forged scripted model: ${summary.tasks} tasks in ${formatNumber(summary.totalMs / 1000, 1)} s (pass@1 ${summary.passAt1}, passed ${summary.passed}, after repair ${summary.passedAfterRepair}, mean attempts ${formatNumber(summary.meanAttempts, 2)}, repairs kept ${summary.repairsKept}/${summary.repairsTried})`,
      rows: [
        row('writing it: the model, then the static checks', write),
        row('checking and running it: the rest of the send (see below)', check),
        row('a plain send of the same call, once kept (the anchor)', send),
      ],
      notes: [
        'Checking and running it: the index lookup before writing, then the method installed and run in one transaction (committed since it passed; a failing one is rolled back and goes back to the model), with its examples each run in a transaction rolled back.',
        `Medians over the ${kept.length} methods kept at their first attempt; the model is the tiny forged one (1 thread), so writing costs far less than with a real model, where it dominates.`,
        `This machine's load average was ${formatNumber(loadavg()[0]!, 1)} on ${availableParallelism()} cores at the end of the run.`,
      ],
    };
  } finally {
    await runner.close();
    await mind.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
