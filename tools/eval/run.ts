/**
 * Runs the evaluation's tasks through the real pipeline: a fresh image, the UVM, the
 * sandbox and whichever method writer is given (the configured model, or a scripted one in
 * tests). For each task an object is cloned from genesis and given its slots, then the call
 * is sent: the model writes the method (again, with the error, up to the attempts allowed),
 * and the task passes when the call returns what it must.
 *
 * Then its later calls, if it has any, are sent to the kept method. Those that fail are
 * recorded as any failing send is, and the UVM's repair loop (the heartbeat's
 * `repairFailing`, here after one failure) has the model repair the method, keeping a
 * repair only if it answers every recorded call, the task's own call included; the later
 * calls are then sent again.
 */
import { join } from 'node:path';
import type { Caller } from '../../src/core/access/principal.ts';
import { Image } from '../../src/core/image/index.ts';
import { isRef, type Oid, type Value } from '../../src/core/model/value.ts';
import { QuickJsMethodRunner } from '../../src/core/sandbox/index.ts';
import type { SendOutcome } from '../../src/core/uvm/delivery.ts';
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
  /** The call's time: the writing, the checks and the first run. */
  readonly ms: number;
  /** With `again`: the same call sent once more, its method kept (a plain send). */
  readonly againMs?: number;
  /** Later calls the task has (see {@link EvalTask.later}). */
  readonly later: number;
  /** Of those, how many returned what they must before any repair (0 when `passed` is false). */
  readonly laterPassed: number;
  /** The repair tried, when a later call failed: whether one was kept, and what the owner was told. */
  readonly repair?: { readonly kept: boolean; readonly notice: string };
  /** The call passed, and every later call, after the repair if one was needed. */
  readonly passedAfterRepair: boolean;
  /** The later calls' time: the sends, the repair and the sends again. */
  readonly laterMs: number;
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
  /** Passed, later calls included, after the repair loop mended what they broke. */
  readonly passedAfterRepair: number;
  readonly meanAttempts: number;
  /** Tasks whose method the repair loop was asked to repair, and those repaired. */
  readonly repairsTried: number;
  readonly repairsKept: number;
  /** All tasks' time, later calls and repairs included. */
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
  const send: Send = (target, selector, args) =>
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
      const made = await objectWith(send, 'genesis', task.slots);
      const started = performance.now();
      let first: Omit<EvalResult, 'later' | 'laterPassed' | 'passedAfterRepair' | 'laterMs'>;
      try {
        const outcome = await send(made, task.selector, task.args);
        const passed = same(outcome.value, task.expected);
        const ms = performance.now() - started;
        const again = passed && options.again === true ? performance.now() : undefined;
        if (again !== undefined) await send(made, task.selector, task.args);
        first = {
          selector: task.selector,
          passed,
          attempts: outcome.attempts ?? 1,
          ms,
          ...(again === undefined ? {} : { againMs: performance.now() - again }),
          ...(passed ? {} : { detail: `returned ${JSON.stringify(outcome.value)}` }),
        };
      } catch (error) {
        first = {
          selector: task.selector,
          passed: false,
          attempts: options.attempts,
          ms: performance.now() - started,
          detail: (error as Error).message,
        };
      }
      const result: EvalResult = first.passed
        ? { ...first, ...(await laterStage(uvm, send, made, task)) }
        : {
            ...first,
            later: task.later?.length ?? 0,
            laterPassed: 0,
            passedAfterRepair: false,
            laterMs: 0,
          };
      options.onResult?.(result);
      results.push(result);
    }
    return results;
  } finally {
    await uvm.close();
  }
}

/** A send as the eval's caller, to an object by oid (or genesis). */
type Send = (
  target: Oid | 'genesis',
  selector: string,
  args: readonly Value[],
) => Promise<SendOutcome>;

/** A clone of `parent` with `slots` of its own. */
async function objectWith(
  send: Send,
  parent: Oid | 'genesis',
  slots: Readonly<Record<string, Value>>,
): Promise<Oid> {
  const made = (await send(parent, 'clone', [])).value;
  if (!isRef(made)) throw new Error(`clone returned ${JSON.stringify(made)}`);
  for (const [name, value] of Object.entries(slots))
    await send(made.$ref, 'setSlot', [name, value]);
  return made.$ref;
}

/**
 * Sends the task's later calls to its kept method; when any fails, has the repair loop
 * repair what failed (as the heartbeat would, after one failure) and sends them all again.
 */
async function laterStage(
  uvm: Uvm,
  send: Send,
  made: Oid,
  task: EvalTask,
): Promise<
  Pick<EvalResult, 'later' | 'laterPassed' | 'repair' | 'passedAfterRepair' | 'laterMs' | 'detail'>
> {
  const started = performance.now();
  const later = task.later ?? [];
  // One after another, so the failures are recorded in the tasks' order.
  const receivers: Oid[] = [];
  for (const call of later)
    receivers.push(call.slots === undefined ? made : await objectWith(send, made, call.slots));
  const sendAll = async () => {
    const why: Array<string | undefined> = [];
    for (const [i, call] of later.entries())
      why.push(
        await send(receivers[i]!, task.selector, call.args ?? task.args).then(
          (outcome) =>
            same(outcome.value, call.expected)
              ? undefined
              : `returned ${JSON.stringify(outcome.value)}`,
          (error: Error) => error.message,
        ),
      );
    return why;
  };
  const before = await sendAll();
  const laterPassed = before.filter((why) => why === undefined).length;
  let repair: EvalResult['repair'];
  let after = before;
  if (laterPassed < later.length) {
    const notice = (await uvm.repairFailing(1)).find((n) => n.selector === task.selector);
    if (notice !== undefined) {
      repair = { kept: notice.kept, notice: notice.text };
      after = await sendAll();
    }
  }
  const failed = after.findIndex((why) => why !== undefined);
  return {
    later: later.length,
    laterPassed,
    ...(repair === undefined ? {} : { repair }),
    passedAfterRepair: failed < 0,
    laterMs: performance.now() - started,
    ...(failed < 0 ? {} : { detail: `later call ${failed + 1}: ${after[failed]!}` }),
  };
}

/** Whether a call returned what it must (compared as JSON). */
function same(value: Value, expected: Value): boolean {
  return JSON.stringify(value) === JSON.stringify(expected);
}

/** The figures over `results`. */
export function summarize(results: readonly EvalResult[]): EvalSummary {
  const count = (test: (r: EvalResult) => boolean) => results.filter(test).length;
  return {
    tasks: results.length,
    passAt1: count((r) => r.passed && r.attempts === 1),
    passed: count((r) => r.passed),
    passedAfterRepair: count((r) => r.passedAfterRepair),
    meanAttempts: results.reduce((sum, r) => sum + r.attempts, 0) / Math.max(1, results.length),
    repairsTried: count((r) => r.repair !== undefined),
    repairsKept: count((r) => r.repair?.kept === true),
    totalMs: results.reduce((sum, r) => sum + r.ms + r.laterMs, 0),
  };
}

/** The results as a table, one task a row, then the figures over all. */
export function evalTable(results: readonly EvalResult[]): string {
  const width = Math.max(4, ...results.map((r) => r.selector.length));
  const outcome = (passed: boolean) => (passed ? 'pass' : 'FAIL');
  const rows = results.map((r) => {
    const later = r.later === 0 ? '-' : `${r.laterPassed}/${r.later}`;
    const repair = r.repair === undefined ? '-' : r.repair.kept ? 'kept' : 'not kept';
    const seconds = ((r.ms + r.laterMs) / 1000).toFixed(2);
    const detail = r.detail === undefined ? '' : `  ${r.detail.split('\n')[0]!.slice(0, 100)}`;
    return `${r.selector.padEnd(width)}  ${outcome(r.passed)}  ${String(r.attempts).padStart(8)}  ${later.padStart(5)}  ${repair.padEnd(8)}  ${outcome(r.passedAfterRepair).padStart(5)}  ${seconds.padStart(8)}${detail}`;
  });
  const s = summarize(results);
  const ofAll = (n: number) =>
    `${n}/${s.tasks} (${((100 * n) / Math.max(1, s.tasks)).toFixed(0)}%)`;
  return [
    `${'task'.padEnd(width)}  pass  attempts  later  repair    after  time (s)`,
    ...rows,
    '',
    `pass@1 ${ofAll(s.passAt1)} · pass after checking ${ofAll(s.passed)} · pass after repair ${ofAll(s.passedAfterRepair)} · mean attempts ${s.meanAttempts.toFixed(2)} · repairs kept ${s.repairsKept}/${s.repairsTried} · ${(s.totalMs / 1000).toFixed(1)} s in all`,
  ].join('\n');
}
