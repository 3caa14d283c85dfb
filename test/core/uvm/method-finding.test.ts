/**
 * Finding before writing, through the real Bot on a real image: `implementors` and `senders`
 * list only what each of three people may read, and follow removal and undo (on SQLite and
 * PostgreSQL); a missing
 * method that the image already has elsewhere (where the sender may read it) is copied, with
 * where it came from, and the model is not asked; otherwise the nearest methods the sender
 * may share go into the model's prompt as examples. The model is the forged one scripted to
 * write these methods (a real llama.cpp model), and the test reads every prompt it got.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { ACCESS_SLOT, OWNER_SLOT } from '../../../src/core/model/object-access.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { useScriptedModel } from '../../support/scripted-model.ts';

const checker = new QuickJsMethodRunner();
afterAll(() => checker.close());

const person = (id: string) => ({ sender: { id, name: id, isAdmin: false } });
const ada = person('ada');
const bob = person('bob');
const carol = person('carol');

const GREET =
  "function (self, name) {\n  // Greets someone politely.\n  return 'Good day, ' + name }";
const SECRET = "function (self, name) { return 'psst, ' + name }";
const WELCOME = "function (self) { return self.send('greet', 'guest') }";
const SHOUT = "function (self, text) { return String(text).toUpperCase() + '!' }";
const FUSE = "function (self) { return self.get('fuse').length }";
const WRITTEN = "function (self, n) { return 'written ' + n }";
/** The `i`th of bob's private methods, greet_warmly_<i>. */
const CROWD = (i: number) =>
  `function (self, name) {\n  // Greets someone warmly, the ${i}th way.\n  return 'greet warmly, ' + name + ${i} }`;

const scripted = useScriptedModel({
  methods: {
    welcome: ["function (self, n) { return 'written ' + String(n) }"],
    greet_warmly: ["function (self, n) { return 'written ' + n.toString() }"],
    fuse_length: [WRITTEN],
  },
});

/** A clone of genesis named `name`, made by `who`, with `methods` defined on it. */
async function objectOf(
  core: TestCore,
  who: typeof ada,
  name: string,
  methods: Record<string, string>,
): Promise<void> {
  await core.ok(`${await core.ok('genesis clone', who)} name ${name}`, who);
  for (const [selector, source] of Object.entries(methods))
    await core.ok(`${name} defineMethod ${selector} ${JSON.stringify(source)}`, who);
}

/** 600 private objects of bob's, each with the method `selector` written as `source`. */
async function privateCrowd(core: TestCore, selector: string, source: string): Promise<void> {
  const tx = core.image.begin({ who: 'console:bob', platform: 'console' });
  for (let i = 0; i < 600; i += 1)
    tx.create([
      [OWNER_SLOT, { kind: 'value', value: 'console:bob' }],
      [ACCESS_SLOT, { kind: 'value', value: '' }],
      [selector, { kind: 'method', source }],
    ]);
  await core.image.commit(tx);
}

/** ada's shared box, bob's private safe, and carol's nothing. */
async function threePeople(options: Parameters<typeof openTestCore>[0] = {}) {
  const core = await openTestCore(options);
  await objectOf(core, ada, 'box', { greet: GREET, shout: SHOUT });
  await objectOf(core, bob, 'safe', { greet: SECRET, welcome: WELCOME });
  await core.ok('safe chmod private', bob);
  return core;
}

/** The three people, the scripted model writing methods, and carol's empty widget. */
async function withModel() {
  const { model, prompts } = scripted.recorder();
  const core = await threePeople({ uvm: { writer: new MindMethodWriter(model, checker) } });
  await objectOf(core, carol, 'widget', {});
  return { core, prompts };
}

const text = async (core: TestCore, message: string, who?: typeof ada) =>
  (await core.ok(message, who)).replace(/^```\n|\n```$/gu, '');

describe.each(IMAGE_KINDS)('implementors and senders on %s', (kind) => {
  it('list only the methods each person may read', async () => {
    const core = await threePeople({ imagePath: await freshImageLocation(kind) });
    expect(await text(core, 'implementors greet', carol)).toMatch(
      /^1 method you may read answers greet:\n#\d+ box greet · by hand, console:ada — Greets someone politely\.$/u,
    );
    expect(await text(core, 'implementors greet', bob)).toMatch(
      /^2 methods you may read answer greet:\n#\d+ box greet .*\n#\d+ safe greet · by hand, console:bob$/u,
    );
    expect(await text(core, 'IMPLEMENTORS greet', ada)).not.toContain('safe');
    expect(await text(core, 'implementors greet')).toContain('safe greet'); // an admin reads all

    expect(await text(core, 'senders greet', carol)).toBe('No method you may read sends greet.');
    expect(await text(core, 'senders greet', bob)).toMatch(
      /^1 method you may read sends greet:\n#\d+ safe welcome · by hand, console:bob$/u,
    );
    expect(await text(core, 'senders welcome', bob)).toBe('No method you may read sends welcome.');

    // bob opens his safe: now everyone sees it.
    await core.ok('safe chmod shared', bob);
    expect(await text(core, 'senders greet', carol)).toMatch(/safe welcome/u);
  });

  it("list a sender the asker may read past a crowd of others' private ones", async () => {
    const core = await threePeople({ imagePath: await freshImageLocation(kind) });
    // 600 private objects of bob's whose methods send greet, older than ada's shared porch.
    await privateCrowd(core, 'welcome', WELCOME);
    await objectOf(core, ada, 'porch', { welcome: WELCOME });
    expect(await text(core, 'senders greet', carol)).toMatch(
      /^1 method you may read sends greet:\n#\d+ porch welcome · by hand, console:ada$/u,
    );
  });

  it('follow a removal and its undo', async () => {
    const core = await threePeople({ imagePath: await freshImageLocation(kind) });
    await core.ok('box removeSlot greet', ada);
    expect(await text(core, 'implementors greet', carol)).toBe(
      'No method you may read answers greet.',
    );
    await core.ok('undo', ada);
    expect(await text(core, 'implementors greet', carol)).toMatch(/box greet/u);
  });

  it('say how they go when asked wrongly, and change nothing', async () => {
    const core = await threePeople();
    const before = await core.ok('history all');
    for (const message of ['implementors', 'senders greet welcome', 'implementors "greet"'])
      expect(replyToPlainText(await core.say(message, carol))).toMatch(
        /^That is not how (implementors|senders) goes\. `\1 greet` lists/u,
      );
    expect(await core.ok('history all')).toBe(before);
  });
});

describe('finding a method before writing one', () => {
  it('copies an exact implementor the sender may read, without asking the model', async () => {
    const { core, prompts } = await withModel();
    const reply = await core.say('widget shout hello', carol);
    expect(reply.status, replyToPlainText(reply)).toBe('ok');
    expect(replyToPlainText(reply)).toMatch(
      /^HELLO!\n\(copied from #\d+ box shout \(by hand, console:ada\), which the image already had; the model was not asked\. `undo` takes the copy back\)$/u,
    );
    expect(prompts).toHaveLength(0);
    expect(await core.ok('widget methodSource shout', carol)).toBe(SHOUT);
    expect(await text(core, 'versions widget shout', carol)).toMatch(
      /1\. tx \d+ · .* · console:carol · by hand, copied from #\d+ \(current\)/u,
    );
    // The copy is carol's own, and undone like any change of hers.
    await core.ok('undo', carol);
    expect(await core.ok('widget respondsTo shout', carol)).toBe('false');
  });

  it("never copies what the sender may not read, and prefers the sender's own", async () => {
    const { core, prompts } = await withModel();
    // Only bob's private safe has welcome: carol's is written, and the model never sees his.
    expect(await core.ok('widget welcome 1', carol)).toBe('written 1');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.user).not.toContain(WELCOME);
    expect(prompts[0]!.user).not.toContain(SECRET);
    // greet: ada's shared box has one, so carol gets a copy of it...
    expect(await core.ok('widget greet Ann', carol)).toMatch(
      /^Good day, Ann\n\(copied from #\d+ box greet/u,
    );
    // ...and bob, who may read both, a copy of his own.
    await objectOf(core, bob, 'desk', {});
    expect(await core.ok('desk greet Ann', bob)).toMatch(
      /^psst, Ann\n\(copied from #\d+ safe greet/u,
    );
    expect(prompts).toHaveLength(1);
  });

  it('puts the nearest methods into the prompt as examples when no method matches exactly', async () => {
    const { core, prompts } = await withModel();
    expect(await core.ok('widget greet_warmly 2', carol)).toBe('written 2');
    expect(prompts).toHaveLength(1);
    const prompt = prompts[0]!.user;
    expect(prompt).toMatch(
      /Methods this image already has that may be near what is asked[^\n]*\n#\d+ box greet:\n/u,
    );
    expect(prompt).toContain(GREET);
    expect(prompt).not.toContain(SECRET); // bob's private safe
  });

  it("shows the nearest methods the sender may share, however many of others' private ones rank above them", async () => {
    const { core, prompts } = await withModel();
    // bob's private vault: 60 methods nearer greet_warmly than ada's greet.
    await objectOf(core, bob, 'vault', {});
    await core.ok('vault chmod private', bob);
    for (let i = 0; i < 60; i += 1)
      await core.ok(`vault defineMethod greet_warmly_${i} ${JSON.stringify(CROWD(i))}`, bob);
    expect(await core.ok('widget greet_warmly 2', carol)).toBe('written 2');
    const prompt = prompts[0]!.user;
    expect(prompt).toMatch(
      /Methods this image already has that may be near what is asked[^\n]*\n#\d+ box greet:\n/u,
    );
    expect(prompt).toContain(GREET);
    expect(prompt).not.toContain('warmly, ');
  });

  it("copies an implementor the sender may read past a crowd of others' private ones", async () => {
    const { core, prompts } = await withModel();
    // 600 private objects of bob's that answer sparkle, older than ada's shared lamp.
    await privateCrowd(core, 'sparkle', SECRET);
    await objectOf(core, ada, 'lamp', { sparkle: SHOUT });
    expect(await text(core, 'implementors sparkle', carol)).toMatch(
      /^1 method you may read answers sparkle:\n#\d+ lamp sparkle · by hand, console:ada$/u,
    );
    expect(await core.ok('widget sparkle hi', carol)).toMatch(
      /^HI!\n\(copied from #\d+ lamp sparkle \(by hand, console:ada\)/u,
    );
    expect(prompts).toHaveLength(0);
  });

  it('writes the method when the copy fails here, showing the model the copy', async () => {
    const { core, prompts } = await withModel();
    await objectOf(core, ada, 'bomb', { fuse_length: FUSE });
    const statuses: string[] = [];
    const reply = await core.bot.handle(
      {
        platform: 'console',
        sender: carol.sender,
        channel: 'c',
        text: 'widget fuse_length 3',
        mentions: [],
        adminChannel: false,
      },
      { status: (s) => statuses.push(s) },
    );
    expect(replyToPlainText(reply)).toBe('written 3');
    expect(statuses[0]).toMatch(/^#\d+ bomb fuse_length \(by hand, console:ada\) failed here \(/u);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.user).toMatch(
      /#\d+ bomb fuse_length \(by hand, console:ada\):\nfunction \(self\) \{ return self\.get/u,
    );
    expect(await core.ok('widget methodSource fuse_length', carol)).toBe(WRITTEN);
  });
});
