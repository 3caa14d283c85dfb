/**
 * A method's versions, from the image's history: listed by whoever may read the object, put
 * back by whoever may change it, undoable; through the real Bot on a real image, SQLite and
 * PostgreSQL (each reads versions through its own index of the changes that set a method).
 */
import { describe, expect, it } from 'vitest';
import { VERSIONS_SEARCHED } from '../../../src/core/uvm/method-versions.ts';
import { openTestCore } from '../../support/core.ts';
import { freshImageLocation, IMAGE_KINDS, type ImageKind } from '../../support/images.ts';
import { replyToPlainText } from '../../support/reply-text.ts';

const ada = { sender: { id: 'ada', name: 'ada', isAdmin: false } };
const bob = { sender: { id: 'bob', name: 'bob', isAdmin: false } };
const V1 = "function (self, name) { return 'Hello, ' + name }";
const V2 = "function (self, name) { return 'Good day, ' + name }";

async function boxWithTwoVersions(kind: ImageKind) {
  const core = await openTestCore({ imagePath: await freshImageLocation(kind) });
  await core.ok(`${await core.ok('genesis clone', ada)} name box`, ada);
  await core.ok(`box defineMethod greet ${JSON.stringify(V1)}`, ada);
  await core.ok(`box defineMethod greet ${JSON.stringify(V2)}`, ada);
  return core;
}

describe.each(IMAGE_KINDS)("a method's versions on %s", (kind) => {
  it('lists them oldest first, puts one back as a new version, and undoes that', async () => {
    const core = await boxWithTwoVersions(kind);
    // A code block: its fences aside, the text as chat shows it.
    const listed = (await core.ok('versions box greet', ada)).replace(/^```\n|\n```$/gu, '');
    expect(listed).toMatch(
      /^#\d+ box greet: 2 versions, oldest first\n1\. tx \d+ · .* · console:ada · by hand\n/u,
    );
    expect(listed).toContain(`     ${V1}`);
    expect(listed).toMatch(
      /2\. tx \d+ · .* · by hand \(current\)\n {5}function \(self, name\) \{ return 'Good day, '/u,
    );
    expect(await core.ok('box greet Ann', ada)).toBe('Good day, Ann');

    const reverted = await core.say('revert box greet 1', ada);
    expect(reverted.status, replyToPlainText(reverted)).toBe('ok');
    expect(replyToPlainText(reverted)).toBe('Put version 1 of greet back.');
    expect(await core.ok('box greet Ann', ada)).toBe('Hello, Ann');
    expect(await core.ok('versions box greet', ada)).toMatch(
      /3 versions[\s\S]*3\. tx \d+ .*\(current\)\n {5}function \(self, name\) \{ return 'Hello, '/u,
    );

    await core.ok('undo', ada);
    expect(await core.ok('box greet Ann', ada)).toBe('Good day, Ann');
    expect(await core.ok('versions box greet', ada)).toMatch(/: 2 versions/u);
  });

  it('is listed for those who may read the object, and put back only by those who may change it', async () => {
    const core = await boxWithTwoVersions(kind);
    expect(await core.ok('versions @box greet', bob)).toMatch(/: 2 versions/u);
    const before = await core.ok('history all');
    const refused = await core.say('revert @box greet 1', bob);
    expect(refused.status).toBe('refused');
    expect(replyToPlainText(refused)).toMatch(/box/u);
    expect(await core.ok('history all')).toBe(before);
    expect(await core.ok('box greet Ann', ada)).toBe('Good day, Ann');

    await core.ok('box chmod private', ada);
    expect((await core.say('versions @box greet', bob)).status).toBe('refused');
  });

  it("finds them however many of the object's other slots changed since", async () => {
    const core = await boxWithTwoVersions(kind);
    // More of the box's own sends than were once searched for versions (its newest 2,000).
    for (let n = 0; n <= VERSIONS_SEARCHED; n += 1) await core.ok(`box setSlot count ${n}`, ada);
    expect(await core.ok('versions box greet', ada)).toMatch(
      /box greet: 2 versions, oldest first/u,
    );
    const view = await core.bot.inspect(
      {
        platform: 'console',
        sender: ada.sender,
        channel: 'console',
        text: 'box describe',
        mentions: [],
        adminChannel: false,
      },
      'box',
    );
    expect('view' in view && view.view.slots.find((slot) => slot.name === 'greet')).toMatchObject({
      versions: [
        { n: 1, current: false },
        { n: 2, current: true },
      ],
    });
    const reverted = await core.say('revert box greet 1', ada);
    expect(replyToPlainText(reverted)).toBe('Put version 1 of greet back.');
    expect(await core.ok('box greet Ann', ada)).toBe('Hello, Ann');
  });

  it('says what is wrong with a version that is not there, or already current, and changes nothing', async () => {
    const core = await boxWithTwoVersions(kind);
    const before = await core.ok('history all');
    expect(replyToPlainText(await core.say('revert box greet 7', ada))).toMatch(
      /box greet has versions 1 to 2, not 7; nothing was changed\. `versions box greet` lists them\./u,
    );
    expect(replyToPlainText(await core.say('revert box greet 2', ada))).toMatch(
      /box greet is version 2 already; nothing was changed\./u,
    );
    expect(replyToPlainText(await core.say('revert box wave 1', ada))).toMatch(
      /box has no recorded version of wave; nothing was changed\./u,
    );
    expect(replyToPlainText(await core.say('versions box', ada))).toMatch(
      /^That is not how versions goes/u,
    );
    expect(replyToPlainText(await core.say('revert box greet first', ada))).toMatch(
      /"first" is not a version number/u,
    );
    expect(await core.ok('history all')).toBe(before);
  });
});
