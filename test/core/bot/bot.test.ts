import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Image } from '../../../src/core/image/index.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { openTestCore } from '../../support/core.ts';
import { tempDir } from '../../support/temp.ts';

const alice: Partial<Send> = {
  platform: 'discord',
  sender: { id: 'alice', name: 'alice', isAdmin: false },
  adminChannel: false,
};
const bob: Partial<Send> = {
  platform: 'discord',
  sender: { id: 'bob', name: 'bob', isAdmin: false },
  adminChannel: false,
};

describe('the primordial image', () => {
  it('starts with root, traits, pLLM and genesis, and the traits primitives', async () => {
    const core = await openTestCore();
    expect(await core.ok('root slotNames')).toBe('["parent*","traits","pLLM","genesis"]');
    expect(await core.ok('genesis slotNames')).toBe('["parent*"]');
    expect(await core.ok('genesis parents')).toBe('["<#1 traits>"]');
    const traits = JSON.parse(await core.ok('traits slotNames')) as string[];
    for (const p of [
      'clone',
      'setSlot',
      'getSlot',
      'removeSlot',
      'slotNames',
      'parents',
      'name',
      'doesNotUnderstand_',
    ])
      expect(traits).toContain(p);
    expect(await core.ok('pLLM status')).toBe('no model loaded');
  });

  it('bootstraps once: reopening does not create objects again', async () => {
    const dir = tempDir();
    const path = join(dir, 'image.db');
    const first = await openTestCore({ imagePath: path });
    await first.close();
    const second = await openTestCore({ imagePath: path });
    expect(await second.ok('root slotNames')).toBe('["parent*","traits","pLLM","genesis"]');
    await second.close();
    const image = await Image.open(path);
    expect(image.countObjects()).toBe(4);
    await image.close();
  });
});

describe('primitives through messages', () => {
  it('sets, reads, removes slots and answers a value slot by its name', async () => {
    const core = await openTestCore();
    expect(await core.ok('genesis setSlot color "blue"')).toBe('blue');
    expect(await core.ok('genesis color')).toBe('blue');
    expect(await core.ok('genesis getSlot color')).toBe('blue');
    expect(await core.ok('genesis setSlot info {"sizes": [1, 2], "on": true}')).toBe(
      '{"sizes":[1,2],"on":true}',
    );
    expect(await core.ok('genesis slotNames')).toBe('["parent*","color","info"]');
    expect(await core.ok('genesis removeSlot color')).toBe('true');
    expect(await core.ok('genesis respondsTo color')).toBe('false');
    expect(await core.ok('genesis respondsTo clone')).toBe('true');
  });

  it('clones delegate to their parent and can be named', async () => {
    const core = await openTestCore();
    await core.ok('genesis setSlot color "blue"');
    expect(await core.ok('genesis clone')).toBe('#4');
    expect(await core.ok('#4 color')).toBe('blue');
    await core.ok('#4 setSlot color "red"');
    expect(await core.ok('#4 color')).toBe('red');
    expect(await core.ok('genesis color')).toBe('blue');
    expect(await core.ok('#4 name widget')).toBe('widget');
    expect(await core.ok('widget describe')).toBe(
      '#4 widget: 2 slots — parent*, color\nowner console:operator · flags "rf" (anyone may read, clone)',
    );
    expect(await core.ok('@widget name')).toBe('widget');
    expect(await core.ok('widget setSlot parent* [@genesis, @pLLM]')).toBe(
      '["<#3 genesis>","<#2 pLLM>"]',
    );
    expect(await core.ok('widget status')).toBe('no model loaded');
  });

  it('refuses bad sends with clear errors and changes nothing', async () => {
    const core = await openTestCore();
    const before = await core.ok('history');
    const cases: Array<[string, RegExp]> = [
      ['@nobody color', /no object named "nobody"/],
      ['#99 slotNames', /no object #99/],
      ['genesis setSlot color', /setSlot takes 2 arguments, not 1/],
      ['genesis setSlot "bad name" 1', /not a slot name/],
      ['genesis setSlot friend #99', /no object #99/],
      ['genesis setSlot parent* 5', /parent\* holds an object reference/],
      ['genesis removeSlot nothing', /no slot "nothing" of its own/],
      ['genesis name traits', /already belongs to #1 traits/],
      ['genesis name undo', /cannot be a name/],
      ['root removeSlot parent*', /must keep a parent/],
    ];
    for (const [text, message] of cases) {
      const reply = await core.say(text);
      expect(reply.status, text).toBe('error');
      expect(replyToPlainText(reply), text).toMatch(message);
    }
    expect(await core.ok('history')).toBe(before);
  });

  it('a value slot takes no arguments', async () => {
    const core = await openTestCore();
    await core.ok('genesis setSlot color "blue"');
    expect(replyToPlainText(await core.say('genesis color "red"'))).toMatch(
      /value slot and takes no arguments/,
    );
  });
});

describe('history and undo', () => {
  it('shows who changed what, and undo reverts only what the sender may revert', async () => {
    const core = await openTestCore();
    await core.ok('genesis clone');
    await core.ok('#4 name board');
    await core.ok('board chmod public');
    // Someone else's object is addressed with @: a bare name reaches only one's own.
    await core.ok('@board setSlot color "blue"', alice);
    await core.ok('@board setSlot size 3', bob);
    const history = await core.ok('history board');
    expect(history).toMatch(
      /tx \d+ · .* · discord:bob · "@board setSlot size 3"\n {4}#4 board size: \(absent\) → 3/,
    );
    expect(history).toMatch(/discord:alice/);

    const bobs = Number(/tx (\d+) · .* · discord:bob/.exec(history)![1]);
    const refused = await core.say(`undo ${bobs}`, alice);
    expect(refused.status).toBe('refused');
    expect(replyToPlainText(refused)).toMatch(/made by someone else; only admins may undo it/);
    expect(await core.ok('board size')).toBe('3');

    // A bare undo is the sender's own newest transaction, not the image's newest.
    expect(await core.ok('undo', alice)).toMatch(/^Undid transaction \d+\.$/);
    expect(await core.ok('board respondsTo color')).toBe('false');
    expect(await core.ok('board size')).toBe('3');
    expect(replyToPlainText(await core.say('undo', alice))).toMatch(
      /You have nothing left to undo/,
    );
    expect(await core.ok(`undo ${bobs}`)).toMatch(/Undid/); // the operator is an admin
    expect(await core.ok('board respondsTo size')).toBe('false');
    expect(replyToPlainText(await core.say('undo tx'))).toMatch(/not a transaction id/);
  });

  it('shows the last 10 by people, everything with `all`, one transaction by its id', async () => {
    const core = await openTestCore();
    expect(await core.ok('history')).toBe(
      "```\nNo transactions yet but BAT OS's own: `history all` shows them.\n```",
    );
    for (let i = 1; i <= 12; i += 1) await core.ok(`genesis setSlot n${i} ${i}`);

    const recent = await core.ok('history');
    const shown = [...recent.matchAll(/^tx (\d+) /gm)].map((m) => Number(m[1]));
    expect(shown).toHaveLength(10);
    expect(recent).toContain('"genesis setSlot n12 12"');
    expect(recent).not.toContain('"genesis setSlot n2 2"');
    expect(recent).not.toMatch(/system:/);
    expect(recent).toMatch(/the last 10 by people, newest first; `history all` adds BAT OS's own/);

    const all = await core.ok('HISTORY all');
    expect([...all.matchAll(/^tx (\d+) /gm)]).toHaveLength(13); // 12 sends and the boot
    expect(all).toMatch(/^tx 1 · .* · system:test$/m);

    const n5 = shown[7]!;
    const one = await core.ok(`history ${n5}`);
    expect(one).toMatch(
      new RegExp(
        `^\`\`\`\ntx ${n5} · .* · "genesis setSlot n5 5"\n {4}#3 genesis n5: \\(absent\\) → 5\n\`\`\`$`,
      ),
    );
    expect(await core.ok(`history tx${n5}`)).toBe(one);
    expect(await core.ok('history 999')).toMatch(/There is no transaction 999/);

    // An object's history is as it was: its last 20, BAT OS's own included.
    expect(await core.ok('history genesis')).toMatch(/^tx 1 · .* · system:test$/m);
    for (const [text, why] of [
      ['history nosuchthing', /There is no object named "nosuchthing"/],
      ['history ~x', /"~x" is not an object, a transaction or `all`/],
      ['history genesis all', /each of by, from and to once/],
    ] as const) {
      const reply = await core.say(text);
      expect(reply.status, text).toBe('error');
      expect(replyToPlainText(reply), text).toMatch(why);
    }
  });
});

describe('admin commands', () => {
  it('collect and backup are for admins only', async () => {
    const core = await openTestCore();
    await core.ok('genesis clone');
    expect((await core.say('collect', alice)).status).toBe('refused');
    expect(await core.ok('collect')).toMatch(/^Collected 1 unreachable object; 4 remain\. \(sweep/);
    expect(await core.ok('collect 0')).toMatch(/Forgot \d+ transactions older than 0 days\./);
    expect(replyToPlainText(await core.say('collect soon'))).toMatch(/not a number of days/);
    const file = join(tempDir(), 'copy.db');
    expect((await core.say(`backup ${file}`, alice)).status).toBe('refused');
    expect(await core.ok(`backup ${file}`)).toBe(`Backed the image up to ${file}.`);
    expect(existsSync(file)).toBe(true);
    const chatAdmin: Partial<Send> = {
      ...alice,
      sender: { id: 'root', name: 'root', isAdmin: true },
    };
    // A path outside the backup folder (in this test's own temp folder): refused, not written.
    const outside = join(tempDir(), 'outside.db');
    expect(replyToPlainText(await core.say(`backup ${outside}`, chatAdmin))).toMatch(
      /not a backup name/,
    );
    expect(existsSync(outside)).toBe(false);
    expect(await core.ok('backup nightly.db', chatAdmin)).toMatch(
      /^Backed the image up to .*backups\/nightly\.db\.$/,
    );
  });

  it('upgrade is refused outside the admin channel, and for non-admins', async () => {
    const core = await openTestCore();
    const notAdmin = await core.say('upgrade', alice);
    expect(notAdmin.status).toBe('refused');
    const wrongChannel = await core.say('upgrade', {
      platform: 'discord',
      sender: { id: 'root', name: 'r', isAdmin: true },
      adminChannel: false,
    });
    expect(replyToPlainText(wrongChannel)).toMatch(/admins, asked in the admin channel/);
  });
});

describe('rate limits', () => {
  it('refuses a chat user past the burst with a friendly reply, but never the console', async () => {
    const core = await openTestCore({ bot: { sendLimit: { perMinute: 1, burst: 2 } } });
    expect((await core.say('genesis slotNames', alice)).status).toBe('ok');
    expect((await core.say('genesis slotNames', alice)).status).toBe('ok');
    const third = await core.say('genesis slotNames', alice);
    expect(third.status).toBe('refused');
    expect(replyToPlainText(third)).toMatch(/Try again in \d+s/);
    expect((await core.say('genesis slotNames', bob)).status).toBe('ok');
    for (let i = 0; i < 5; i += 1) expect((await core.say('genesis slotNames')).status).toBe('ok');
  });
});

describe('methods', () => {
  it('run with arguments, keep state in slots, survive a restart and work through delegation on clones', async () => {
    const path = join(tempDir(), 'image.db');
    const first = await openTestCore({ imagePath: path });
    await first.ok(
      `genesis defineMethod greet "function (self, name) { return 'Hello, ' + name + ' from #' + self.oid }"`,
    );
    await first.ok(
      `genesis defineMethod count "function (self) { self.set('n', (self.get('n') ?? 0) + 1); return self.get('n') }"`,
    );
    expect(await first.ok('genesis greet "Ada"')).toBe('Hello, Ada from #3');
    expect(await first.ok('genesis count')).toBe('1');
    expect(await first.ok('genesis count')).toBe('2');
    await first.close();

    const second = await openTestCore({ imagePath: path });
    expect(await second.ok('genesis count')).toBe('3');
    const clone = await second.ok('genesis clone');
    expect(await second.ok(`${clone} greet Bob`)).toBe(`Hello, Bob from ${clone}`);
    // The clone reads genesis's n through delegation and writes its own.
    expect(await second.ok(`${clone} count`)).toBe('4');
    expect(await second.ok('genesis n')).toBe('3');
    expect(await second.ok(`${clone} methodSource count`)).toMatch(/^function \(self\)/);
  });

  it('a method that fails leaves every slot it wrote unwritten', async () => {
    const core = await openTestCore();
    await core.ok(
      `genesis defineMethod half "function (self) { self.set('a', 1); self.send('setSlot', 'b', 2); throw new Error('no') }"`,
    );
    const reply = await core.say('genesis half');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(/no/);
    expect(await core.ok('genesis slotNames')).toBe('["parent*","half"]');
  });

  it('refuses to store source that is not one function of the contract', async () => {
    const core = await openTestCore();
    const reply = await core.say(
      'genesis defineMethod bad "function (self) { return 1 }; process.exit()"',
    );
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(/^The method bad was not stored: /);
    expect(await core.ok('genesis respondsTo bad')).toBe('false');
  });

  it("holds a method written by hand to the model's rule, the one ALFRED's audit applies", async () => {
    const core = await openTestCore();
    const before = await core.image.history({ limit: 1 });
    const reply = await core.say(
      `genesis defineMethod lunch "function (self) { return self.sandwiches; }"`,
    );
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toContain(
      "The method lunch was not stored: the method was rejected (1 problem):\n- self-api: 1:31: self.sandwiches is not part of self; to read a slot use self.get('sandwiches').",
    );
    expect(await core.image.history({ limit: 1 })).toEqual(before);
    // Written as the rule asks, it is kept.
    await core.ok(
      `genesis defineMethod lunch "function (self) { return self.get('sandwiches'); }"`,
    );
    expect(await core.ok('genesis respondsTo lunch')).toBe('true');
  });
});
