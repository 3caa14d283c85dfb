/**
 * Runs the evaluation's tasks through the real pipeline: a fresh image, the UVM, the
 * sandbox and whichever method writer is given (the configured model, or a scripted one in
 * tests). For each task an object is cloned from genesis and given its slots, then the call
 * is sent: the model writes the method (again, with the error, up to the attempts allowed),
 * and the task passes when the call returns what it must.
 */
import { join } from 'node:path';
import type { Caller } from '../../src/core/access/principal.ts';
import { Image } from '../../src/core/image/index.ts';
import { isRef, type Value } from '../../src/core/model/value.ts';
import { QuickJsMethodRunner } from '../../src/core/sandbox/index.ts';
import type { MethodWriter } from '../../src/core/uvm/method-writer.ts';
import { Uvm } from '../../src/core/uvm/uvm.ts';
import type { EvalTask } from './tasks.ts';

/** How one task went. */
export interface EvalResult {
  readonly selector: string;
  /** The call returned what it must. */
  readonly passed: boolean;
  /** Methods the model wrote for it (all the attempts allowed, when none passed). */
  readonly attempts: number;
  readonly ms: number;
  /** With `again`: the same call sent once more, its method kept (a plain send). */
  readonly againMs?: number;
  /** What it returned instead, or why it failed. */
  readonly detail?: string;
}

/** The figures over all tasks. */
export interface EvalSummary {
  readonly tasks: number;
  /** Passed with the first method written. */
  readonly passAt1: number;
  /** Passed after the checks sent failures back to the model. */
  readonly passed: number;
  readonly meanAttempts: number;
  readonly totalMs: number;
}

const CALLER: Caller = {
  principal: 'console:eval',
  platform: 'console',
  admin: true,
  operator: false,
  programmer: true,
  adminChannel: true,
};

/** Runs `tasks` one after another on a fresh image in `dir`. */
export async function runEval(options: {
  readonly dir: string;
  readonly writer: MethodWriter;
  readonly attempts: number;
  readonly tasks: readonly EvalTask[];
  /** Told of each task as it ends. */
  readonly onResult?: (result: EvalResult) => void;
  /** Send each passed call once more and time it (`againMs`), as the benchmark's anchor. */
  readonly again?: boolean;
}): Promise<EvalResult[]> {
  const image = await Image.open(join(options.dir, 'eval.db'));
  const uvm = new Uvm({
    image,
    runner: new QuickJsMethodRunner(),
    writer: options.writer,
    methodAttempts: options.attempts,
  });
  // Written `selector()`: a task asks for a method even where its selector reads like a slot.
  const send = (target: number | 'genesis', selector: string, args: readonly Value[]) =>
    uvm.send({
      caller: CALLER,
      target: target === 'genesis' ? { kind: 'name', name: target } : { kind: 'oid', oid: target },
      selector,
      args: args.map((value) => ({ kind: 'value', value })),
      asksForMethod: true,
    });
  try {
    await uvm.bootstrap({ who: 'system:eval', platform: 'console' });
    const results: EvalResult[] = [];
    for (const task of options.tasks) {
      const made = (await send('genesis', 'clone', [])).value;
      if (!isRef(made)) throw new Error(`genesis clone returned ${JSON.stringify(made)}`);
      for (const [name, value] of Object.entries(task.slots))
        await send(made.$ref, 'setSlot', [name, value]);
      const started = performance.now();
      let result: EvalResult;
      try {
        const outcome = await send(made.$ref, task.selector, task.args);
        const passed = JSON.stringify(outcome.value) === JSON.stringify(task.expected);
        const ms = performance.now() - started;
        const again = passed && options.again === true ? performance.now() : undefined;
        if (again !== undefined) await send(made.$ref, task.selector, task.args);
        result = {
          selector: task.selector,
          passed,
          attempts: outcome.attempts ?? 1,
          ms,
          ...(again === undefined ? {} : { againMs: performance.now() - again }),
          ...(passed ? {} : { detail: `returned ${JSON.stringify(outcome.value)}` }),
        };
      } catch (error) {
        result = {
          selector: task.selector,
          passed: false,
          attempts: options.attempts,
          ms: performance.now() - started,
          detail: (error as Error).message,
        };
      }
      options.onResult?.(result);
      results.push(result);
    }
    return results;
  } finally {
    await uvm.close();
  }
}

/** The figures over `results`. */
export function summarize(results: readonly EvalResult[]): EvalSummary {
  const passed = results.filter((r) => r.passed);
  return {
    tasks: results.length,
    passAt1: results.filter((r) => r.passed && r.attempts === 1).length,
    passed: passed.length,
    meanAttempts: results.reduce((sum, r) => sum + r.attempts, 0) / Math.max(1, results.length),
    totalMs: results.reduce((sum, r) => sum + r.ms, 0),
  };
}

/** The results as a table, one task a row, then the figures over all. */
export function evalTable(results: readonly EvalResult[]): string {
  const width = Math.max(4, ...results.map((r) => r.selector.length));
  const rows = results.map(
    (r) =>
      `${r.selector.padEnd(width)}  ${r.passed ? 'pass' : 'FAIL'}  ${String(r.attempts).padStart(8)}  ${(r.ms / 1000).toFixed(2).padStart(7)}${r.detail === undefined ? '' : `  ${r.detail.split('\n')[0]!.slice(0, 100)}`}`,
  );
  const s = summarize(results);
  const percent = (n: number) => `${((100 * n) / Math.max(1, s.tasks)).toFixed(0)}%`;
  return [
    `${'task'.padEnd(width)}  pass  attempts  time (s)`,
    ...rows,
    '',
    `pass@1 ${s.passAt1}/${s.tasks} (${percent(s.passAt1)}) · pass after checking ${s.passed}/${s.tasks} (${percent(s.passed)}) · mean attempts ${s.meanAttempts.toFixed(2)} · ${(s.totalMs / 1000).toFixed(1)} s in all`,
  ].join('\n');
}
