/**
 * The method-writing evaluation, run on a few of its tasks through the real pipeline with the
 * model scripted per selector: a task passed at once, one passed after its first method
 * failed and went back to the model, and one never passed; the figures and the table say so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { GeneratedMethod, Mind } from '../../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../src/core/uvm/mind-writer.ts';
import { evalTable, runEval, summarize } from '../../tools/eval/run.ts';
import { EVAL_TASKS } from '../../tools/eval/tasks.ts';
import { tempDir } from '../support/temp.ts';

const checker = new QuickJsMethodRunner();
afterAll(() => checker.close());

/** Each selector's answers, in turn (the last again when they run out). */
const ANSWERS: Record<string, readonly string[]> = {
  total: ["function (self) { return self.get('items').reduce((a, b) => a + b, 0) }"],
  double: [
    "function (self, n) { throw new Error('not yet') }",
    'function (self, n) { return n * 2 }',
  ],
  greet: ["function (self) { return 'Hi, ' + self.get('name') }"],
};

function modelBySelector(): Pick<Mind, 'generateMethod'> {
  const asked = new Map<string, number>();
  return {
    generateMethod: async (prompt): Promise<GeneratedMethod> => {
      const selector = /does not understand "([^"]+)"/u.exec(prompt.user)![1]!;
      const n = (asked.get(selector) ?? 0) + 1;
      asked.set(selector, n);
      const answers = ANSWERS[selector]!;
      return {
        source: answers[Math.min(n, answers.length) - 1]!,
        model: 'scripted',
        promptHash: 'p',
        tokens: 1,
      };
    },
  };
}

describe('the evaluation', () => {
  it('has at least 40 tasks, each a distinct selector', () => {
    expect(EVAL_TASKS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(EVAL_TASKS.map((t) => t.selector)).size).toBe(EVAL_TASKS.length);
  });

  it('runs tasks through the real pipeline and counts pass@1, passes after checking and attempts', async () => {
    const tasks = ['total', 'double', 'greet'].map((s) =>
      EVAL_TASKS.find((t) => t.selector === s)!,
    );
    const results = await runEval({
      dir: tempDir('batos-eval-'),
      writer: new MindMethodWriter(modelBySelector(), checker),
      attempts: 3,
      tasks,
    });
    expect(results.map(({ ms: _ms, ...rest }) => rest)).toEqual([
      { selector: 'total', passed: true, attempts: 1 },
      { selector: 'double', passed: true, attempts: 2 },
      { selector: 'greet', passed: false, attempts: 1, detail: 'returned "Hi, Ada"' },
    ]);
    expect(summarize(results)).toMatchObject({
      tasks: 3,
      passAt1: 1,
      passed: 2,
      meanAttempts: 4 / 3,
    });
    const table = evalTable(results);
    expect(table).toMatch(/^double {2}pass {9}2 /mu);
    expect(table).toMatch(/^greet {3}FAIL {9}1 .* {2}returned "Hi, Ada"$/mu);
    expect(table).toMatch(
      /^pass@1 1\/3 \(33%\) · pass after checking 2\/3 \(67%\) · mean attempts 1\.33 · /mu,
    );
  });
});
