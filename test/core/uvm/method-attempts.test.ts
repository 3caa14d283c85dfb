/**
 * A method that fails its checks or its first run goes back to the model with the error, and
 * only one that passes is kept: wrong first, right second; and three failures refused, with
 * nothing kept. Through the real Bot, the real checks, the real sandbox and a real llama.cpp
 * model: the forged model scripted to write wrong methods on purpose.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { openTestCore } from '../../support/core.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { useScriptedModel } from '../../support/scripted-model.ts';

const checker = new QuickJsMethodRunner();
afterAll(() => checker.close());

const THROWS = "function (self, n) { self.set('half', 1); throw new Error('no ' + n) }";
const GLOBAL = 'function (self) { return globalThis.process }';
const DOUBLES = 'function (self, n) { return n * 2 }';
const NEVER = "function (self, n) { throw new Error('never ' + n) }";

const scripted = useScriptedModel({
  methods: {
    double: [THROWS, DOUBLES],
    twice: [GLOBAL, 'function (self, n) { return n + n }'],
    triple: [NEVER],
  },
});

describe('writing a method again when it fails', () => {
  it('keeps the second attempt when the first fails when run, and says so', async () => {
    const { model, prompts } = scripted.recorder();
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
    // Kept as the real model's, which wrote it.
    expect(await core.ok('versions genesis double')).toContain(scripted.mind().metadata.id);
    expect(await core.ok('genesis respondsTo half')).toBe('false'); // the first run's write
  });

  it('writes again after a method that fails the checks', async () => {
    const { model, prompts } = scripted.recorder();
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    expect(await core.ok('genesis twice 4')).toMatch(/^8\n\(the model wrote twice in 2/u);
    expect(prompts[1]!.user).toMatch(/It failed: [\s\S]*globalThis/u);
  });

  it('refuses after the last attempt, keeping nothing of any', async () => {
    const { model, prompts } = scripted.recorder();
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    const before = await core.ok('history all');
    const reply = await core.say('genesis triple 5');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(
      /^The method the model wrote for triple failed when run, so it was not kept: .*never 5.* \(3 attempts, each failed\)$/su,
    );
    expect(prompts).toHaveLength(3);
    expect(prompts[2]!.user).toMatch(/Attempt 2 was this method:\n.*never/u);
    expect(await core.ok('genesis respondsTo triple')).toBe('false');
    expect(await core.ok('history all')).toBe(before);
  });

  it('tries once when one attempt is allowed', async () => {
    const { model, prompts } = scripted.recorder();
    const core = await openTestCore({
      uvm: { writer: new MindMethodWriter(model, checker), methodAttempts: 1 },
    });
    const reply = await core.say('genesis double 5');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).not.toMatch(/attempts/u);
    expect(prompts).toHaveLength(1);
  });
});
