/**
 * The repair loop: a kept method that keeps failing when sent is repaired by the heartbeat,
 * the candidate is kept only when it answers the recorded calls (the failing ones without
 * failing, the successful ones as the method answers them now), the owner is told where
 * they made the method, and `revert` brings the old version back. Through the real Bot,
 * the real checks, the real sandbox, the real heartbeat and a real llama.cpp model: the
 * forged model scripted to write a method that breaks later, then its repair.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import type { RepairNotice } from '../../../src/core/uvm/method-repair.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { startHeartbeat } from '../../../src/personas/index.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { useScriptedModel } from '../../support/scripted-model.ts';

const checker = new QuickJsMethodRunner();
afterAll(() => checker.close());

/** Halves even numbers, and throws on odd ones. */
const HALF = "function (self, n) { if (n % 2 === 1) throw new Error('odd ' + n); return n / 2 }";
const HALF_FIXED = 'function (self, n) { return n / 2 }';
/** Answers the failing call, but not the successful one as the method did. */
const HALF_WRONG = 'function (self, n) { return 0 }';
/** Tenths of multiples of ten, and throws on the rest. */
const TENTH =
  "function (self, n) { if (n % 10 !== 0) throw new Error('not tens: ' + n); return n / 10 }";
/** Answers the failing call, but not the call the method was written for. */
const TENTH_SAME = 'function (self, n) { return n }';
const TENTH_FIXED = 'function (self, n) { return n / 10 }';

const scripted = useScriptedModel({
  methods: {
    // Written first, kept (it passes with 4), and repaired once it keeps failing.
    half: [HALF, HALF_FIXED],
    // Defined by hand, so only its repairs are asked for (the prompts show one failed
    // method or more): each answers the failing call but not the successful one.
    halve: ['function (self, n) { return n >> 1 }', HALF_WRONG],
    // Written for one call and never sent again: its first repair breaks that call.
    tenth: [TENTH, TENTH_SAME, TENTH_FIXED],
  },
});

const alice: Partial<Send> = {
  sender: { id: 'alice', name: 'alice', isAdmin: false },
  channel: 'alice-thread',
  adminChannel: false,
};

/** Runs the heartbeat until it has told someone of a repair, then stops it. */
async function repairByHeartbeat(core: TestCore): Promise<RepairNotice[]> {
  const told: RepairNotice[] = [];
  const heartbeat = startHeartbeat({
    uvm: core.uvm,
    intervalMs: 5,
    log: silentLogger,
    checkMethod: (source) => checker.check(source),
    repair: { afterFailures: 3, tell: async (notice) => void told.push(notice) },
  });
  const deadline = Date.now() + 30_000;
  while (told.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
  await heartbeat.stop();
  return told;
}

/** A core whose method writer is the scripted model, and alice's object `box` in it. */
async function aliceBox() {
  const { model, prompts } = scripted.recorder();
  const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
  const clone = await core.ok('genesis clone', alice);
  await core.ok(`${clone} name box`, alice);
  return { core, prompts };
}

/** Sends `text` `times` times, each expected to fail. */
async function failTimes(core: TestCore, text: string, times: number, as: Partial<Send> = {}) {
  for (let i = 0; i < times; i += 1) expect((await core.say(text, as)).status).toBe('error');
}

describe('repairing a method that keeps failing', () => {
  it('keeps a repair that answers every recorded call, tells the owner, and reverts', async () => {
    const { core, prompts } = await aliceBox();
    // The model writes half for alice; it passes its first run and is kept.
    expect(await core.ok('box half 4', alice)).toBe('2');
    expect(await core.ok('box methodSource half', alice)).toBe(HALF);
    // The run that installed it is a recorded call, and so is this one: both are replayed.
    expect(await core.ok('box half 6', alice)).toBe('3');
    // A method that never failed is not repaired, whatever the threshold.
    expect(await core.uvm.repairFailing(0)).toEqual([]);
    await failTimes(core, 'box half 3', 2, alice);
    // Below the threshold, nothing is repaired.
    expect(await core.uvm.repairFailing(3)).toEqual([]);
    await failTimes(core, 'box half 3', 1, alice);

    const [notice, ...more] = await repairByHeartbeat(core);
    expect(more).toEqual([]);
    expect(notice).toMatchObject({
      selector: 'half',
      owner: 'console:alice',
      kept: true,
      audience: { kind: 'owner', platform: 'console', channel: 'alice-thread' },
    });
    expect(notice!.text).toMatch(
      /^#\d+ box half failed 3 times \(last: Error: odd 3 \(line 1 of half\)\), so the model repaired it: version 2, which answered the 3 recorded call\(s\), is kept\. `versions box half` shows it; `revert box half 1` puts the old one back\.$/u,
    );
    // The model was asked as the owner, shown the method and how it failed.
    expect(prompts).toHaveLength(2);
    expect(prompts[1]!.user).toContain(HALF);
    expect(prompts[1]!.user).toMatch(
      /It failed: sent to #\d+ with \[3\] by console:alice: Error: odd 3/u,
    );

    expect(await core.ok('box half 3', alice)).toBe('1.5');
    expect(await core.ok('box methodSource half', alice)).toBe(HALF_FIXED);
    const versions = await core.ok('versions box half', alice);
    expect(versions).toMatch(
      /^2\. tx \d+ · .* · system:repair · the model \(tiny-model\.gguf@[0-9a-f]{12}, a repair\) \(current\)$/mu,
    );
    expect(versions).toMatch(/^1\. tx \d+ · .* · console:alice · the model \(tiny-model\.gguf@/mu);
    const [repair] = await core.image.history({ limit: 1 });
    expect(repair).toMatchObject({ who: 'system:repair', message: 'repair half' });

    await core.ok('revert box half 1', alice);
    expect(await core.ok('box methodSource half', alice)).toBe(HALF);
    expect((await core.say('box half 3', alice)).status).toBe('error');
  });

  it('replays the call a method was written for: a repair that breaks it is not kept', async () => {
    const { core, prompts } = await aliceBox();
    // Written for this call, kept, and never sent with 50 again.
    expect(await core.ok('box tenth 50', alice)).toBe('5');
    await failTimes(core, 'box tenth 7', 3, alice);

    const [notice, ...more] = await core.uvm.repairFailing(3);
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ selector: 'tenth', kept: true });
    expect(notice!.text).toContain('which answered the 2 recorded call(s), is kept');
    // The first repair answered 7 but not 50, the call the method was written for.
    expect(prompts).toHaveLength(3);
    expect(prompts[2]!.user).toContain(TENTH_SAME);
    expect(prompts[2]!.user).toMatch(
      /sent to #\d+ with \[50\] by console:alice it returned 50, where the method it replaces returns 5/u,
    );
    expect(await core.ok('box methodSource tenth', alice)).toBe(TENTH_FIXED);
    expect(await core.ok('box tenth 7', alice)).toBe('0.7');
    expect(await core.ok('box tenth 50', alice)).toBe('5');
  });

  it('keeps no repair that answers a successful call otherwise, and tells the admins of a system method', async () => {
    const { model, prompts } = scripted.recorder();
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(model, checker) } });
    await core.ok(`genesis defineMethod halve ${JSON.stringify(HALF)}`);
    expect(await core.ok('genesis halve 4')).toBe('2');
    await failTimes(core, 'genesis halve 3', 3);
    const before = await core.ok('history all');

    const [notice] = await repairByHeartbeat(core);
    expect(notice).toMatchObject({ owner: 'system', kept: false, audience: { kind: 'admins' } });
    expect(notice!.text).toMatch(
      /^#3 genesis halve failed 3 times \(last: Error: odd 3 \(line 1 of halve\)\)\. The model wrote 3 repair\(s\), none of which passed its recorded calls \(the last: sent to #3 with \[4\] by console:operator it returned 0, where the method it replaces returns 2\), so the method was left as it was\./u,
    );
    // Each attempt was told why the one before failed.
    expect(prompts).toHaveLength(3);
    expect(prompts[1]!.user).toContain('where the method it replaces returns 2');
    expect(prompts[2]!.user).toMatch(/Attempt 3 was this method:\n.*return 0/u);
    expect(await core.ok('genesis methodSource halve')).toBe(HALF);
    expect(await core.ok('history all')).toBe(before);
    // Its record was forgotten: it is tried again only after as many failures.
    expect(await core.uvm.repairFailing(3)).toEqual([]);
  });
});
