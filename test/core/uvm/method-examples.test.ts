/**
 * The examples the model writes with a method are its checks: run before it is kept (each
 * rolled back, so only the send's own run is kept), sent back to the model when one fails,
 * kept with the method (`versions` shows them) and run again on a repair. Through the real
 * Bot, checks and sandbox, and a real llama.cpp model: the forged model, scripted to write
 * these methods and examples, wrong ones first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { openTestCore } from '../../support/core.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { useScriptedModel } from '../../support/scripted-model.ts';

const checker = new QuickJsMethodRunner();
afterAll(() => checker.close());

/** Counts its calls in a slot, and doubles. */
const DOUBLES =
  "function (self, n) { self.set('calls', (self.get('calls') || 0) + 1); return n * 2 }";
const HALF =
  "function (self, n) { if (n === 3) throw new Error('three'); return Math.floor(n / 2) }";

const scripted = useScriptedModel({
  methods: {
    double: [
      `${DOUBLES}\n// example: [2] => 5`,
      `${DOUBLES}\n// example: [2] => 4\n// example: [0] => 0`,
    ],
    twice: ["function (self, n) { self.set('calls', 1); return n + n }\n// example: [1] => 3"],
    half: [
      `${HALF}\n// example: [5] => 2`,
      'function (self, n) { return n / 2 }',
      'function (self, n) { return Math.floor(n / 2) }',
    ],
  },
});

describe("a method's examples", () => {
  it('are run before it is kept, rolled back, and kept with it', async () => {
    const { model, prompts } = scripted.recorder();
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    expect(await core.ok('genesis double 21')).toBe(
      '42\n(the model wrote double in 2 attempts; only the last, which passed, was kept)',
    );
    expect(prompts[1]!.user).toContain(
      'It failed: The method the model wrote for double failed its example double [2] => 5 returned 4, so it was not kept.',
    );
    // The examples' writes were rolled back: only the send's run counted.
    expect(await core.ok('genesis calls')).toBe('1');
    expect(await core.ok('genesis methodSource double')).toBe(DOUBLES);
    expect(await core.ok('versions genesis double')).toContain(
      `     ${DOUBLES}\n     // example: [2] => 4\n     // example: [0] => 0\n`,
    );
  });

  it('keep nothing when the last attempt fails one', async () => {
    const { model } = scripted.recorder();
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    const reply = await core.say('genesis twice 5');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toBe(
      'The method the model wrote for twice failed its example twice [1] => 3 returned 2, so it was not kept. (3 attempts, each failed)',
    );
    expect(await core.ok('genesis respondsTo twice')).toBe('false');
    expect(await core.ok('genesis respondsTo calls')).toBe('false');
  });

  it('are run on a repair: a candidate that breaks one is not kept', async () => {
    const { model, prompts } = scripted.recorder();
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    expect(await core.ok('genesis half 8')).toBe('4');
    for (let i = 0; i < 3; i += 1) expect((await core.say('genesis half 3')).status).toBe('error');
    const [notice] = await core.uvm.repairFailing(3);
    expect(notice?.kept).toBe(true);
    // The first repair broke the kept example; the second was told so, and kept.
    expect(prompts[2]!.user).toContain('its example half [5] => 2 returned 2.5');
    expect(await core.ok('genesis half 3')).toBe('1');
    expect(await core.ok('versions genesis half')).toMatch(
      /2\. tx .* a repair\) \(current\)\n {5}function \(self, n\) \{ return Math\.floor\(n \/ 2\) \}\n {5}\/\/ example: \[5\] => 2\n/u,
    );
  });
});
