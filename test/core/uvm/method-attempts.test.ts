/**
 * A method that fails its checks or its first run goes back to the model with the error, and
 * only one that passes is kept: wrong first, right second; and three failures refused, with
 * nothing kept. Through the real Bot, the real checks and the real sandbox; the model is
 * scripted at its one seam, `generateMethod`, so the answers can be wrong on purpose.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { openTestCore } from '../../support/core.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { scriptedModel } from '../../support/scripted-model.ts';

const checker = new QuickJsMethodRunner();
afterAll(() => checker.close());

const THROWS = "function (self, n) { self.set('half', 1); throw new Error('no ' + n) }";
const GLOBAL = 'function (self) { return globalThis.process }';
const DOUBLES = 'function (self, n) { return n * 2 }';

describe('writing a method again when it fails', () => {
  it('keeps the second attempt when the first fails when run, and says so', async () => {
    const { model, prompts } = scriptedModel([THROWS, DOUBLES]);
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    const statuses: string[] = [];
    const reply = await core.bot.handle(
      {
        platform: 'console',
        sender: { id: 'ada', name: 'ada', isAdmin: true },
        channel: 'c',
        text: 'genesis double 21',
        mentions: [],
        adminChannel: true,
      },
      { status: (text) => statuses.push(text) },
    );
    expect(reply.status, replyToPlainText(reply)).toBe('ok');
    expect(replyToPlainText(reply)).toBe(
      '42\n(the model wrote double in 2 attempts; only the last, which passed, was kept)',
    );
    expect(statuses[1]).toMatch(
      /the `double` the model wrote failed \(.*no 21.*\) — writing it again, attempt 2 of 3…$/u,
    );
    // The model saw its first method and the error it raised.
    expect(prompts).toHaveLength(2);
    expect(prompts[1]!.user).toContain(THROWS);
    expect(prompts[1]!.user).toMatch(/It failed: .*no 21/u);
    expect(await core.ok('genesis methodSource double')).toBe(DOUBLES);
    expect(await core.ok('genesis respondsTo half')).toBe('false'); // the first run's write
  });

  it('writes again after a method that fails the checks', async () => {
    const { model, prompts } = scriptedModel([GLOBAL, DOUBLES]);
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    expect(await core.ok('genesis double 4')).toMatch(/^8\n\(the model wrote double in 2/u);
    expect(prompts[1]!.user).toMatch(/It failed: [\s\S]*globalThis/u);
  });

  it('refuses after the last attempt, keeping nothing of any', async () => {
    const { model, prompts } = scriptedModel([THROWS]);
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    const before = await core.ok('history all');
    const reply = await core.say('genesis double 5');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(
      /^The method the model wrote for double failed when run, so it was not kept: .*no 5.* \(3 attempts, each failed\)$/su,
    );
    expect(prompts).toHaveLength(3);
    expect(await core.ok('genesis respondsTo double')).toBe('false');
    expect(await core.ok('history all')).toBe(before);
  });

  it('tries once when one attempt is allowed', async () => {
    const { model, prompts } = scriptedModel([THROWS, DOUBLES]);
    const core = await openTestCore({
      uvm: { writer: new MindMethodWriter(model, checker), methodAttempts: 1 },
    });
    const reply = await core.say('genesis double 5');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).not.toMatch(/attempts/u);
    expect(prompts).toHaveLength(1);
  });
});
