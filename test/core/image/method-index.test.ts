/**
 * The method index on both stores: kept in step with the method slots in the commit that
 * changes them — install, new source, removal, undo, collect — searched by selector, by the
 * selectors a method sends and by nearness; and built by migration 0006 for an image made
 * before it.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { encodeSlots } from '../../../src/core/image/codec.ts';
import type { Image } from '../../../src/core/image/index.ts';
import type { Slot } from '../../../src/core/model/value.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { imageBefore, v, who, withImage } from './support.ts';

const method = (source: string): Slot => ({
  kind: 'method',
  source,
  provenance: { author: 'human', by: 'console:ada', at: '2026-01-01T00:00:00.000Z' },
});
const GREET = "function (self, name) {\n  // Greets someone by name.\n  return 'Hello, ' + name }";
const WELCOME = "function (self) { return self.send('greet', 'guest') + '!' }";
const FAREWELL = "function (self, name) { return 'Bye, ' + name }";

/** Sets `slots` on a new object (kept: the root refers to it); returns its oid. */
async function objectWith(image: Image, slots: Record<string, Slot>): Promise<number> {
  const tx = image.begin(who);
  if (!tx.exists(0)) tx.create();
  const oid = tx.create(Object.entries(slots));
  tx.setSlot(0, `o${oid}`, v({ $ref: oid }));
  await image.commit(tx);
  return oid;
}

const selectors = async (
  found:
    Promise<Array<{ oid: number; selector: string }>> | Array<{ oid: number; selector: string }>,
) => (await found).map((m) => `#${m.oid} ${m.selector}`);

/** The senders of `selector` on the first page of at most 10 candidates. */
const sendersOf = async (image: Image, selector: string) =>
  (await image.senders(selector, 10)).senders;

describe.each(IMAGE_KINDS)('the method index on %s', (kind) => {
  it('follows each change of a method slot in the commit that makes it', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const box = await objectWith(image, { greet: method(GREET), color: v('red') });
      const door = await objectWith(image, { welcome: method(WELCOME) });

      const [greet] = await image.implementors('greet', 10);
      expect(greet).toMatchObject({
        oid: box,
        slot: 'greet',
        source: GREET,
        doc: 'Greets someone by name.',
        provenance: { author: 'human', by: 'console:ada' },
      });
      expect(await selectors(sendersOf(image, 'greet'))).toEqual([`#${door} welcome`]);
      expect(await selectors(sendersOf(image, 'welcome'))).toEqual([]);
      expect(await selectors(image.nearestMethods('greeting someone', 5))).toEqual([
        `#${box} greet`,
      ]);

      // A new source replaces the row; a value slot is not indexed.
      let tx = image.begin(who);
      tx.setSlot(box, 'greet', method(FAREWELL));
      tx.setSlot(box, 'color', v('blue'));
      await image.commit(tx);
      expect((await image.implementors('greet', 10)).map((m) => m.source)).toEqual([FAREWELL]);
      expect(await selectors(image.nearestMethods('someone', 5))).toEqual([]);
      expect(await image.implementors('color', 10)).toEqual([]);

      // Undone, the old source is back; removed, it is gone.
      const { tx: undo } = await image.prepareUndo({ who: 'console:test', platform: 'console' });
      await image.commit(undo!);
      expect((await image.implementors('greet', 10)).map((m) => m.source)).toEqual([GREET]);
      tx = image.begin(who);
      tx.removeSlot(door, 'welcome');
      await image.commit(tx);
      expect(await sendersOf(image, 'greet')).toEqual([]);

      // A method slot that became a value leaves the index too.
      tx = image.begin(who);
      tx.setSlot(box, 'greet', v('no longer a method'));
      await image.commit(tx);
      expect(await image.implementors('greet', 10)).toEqual([]);
    });
  });

  it('drops the methods of objects that collect deletes', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const box = await objectWith(image, { greet: method(GREET) });
      const kept = await objectWith(image, { greet: method(FAREWELL) });
      const tx = image.begin(who);
      tx.removeSlot(0, `o${box}`);
      await image.commit(tx);
      expect((await image.collect()).deleted).toBe(1);
      expect(await selectors(image.implementors('greet', 10))).toEqual([`#${kept} greet`]);
      expect(await selectors(image.nearestMethods('greet', 10))).toEqual([`#${kept} greet`]);
    });
  });

  it('finds a selector of several words, a workshop slot by its selector, and ranks the selector first', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const shows = await objectWith(image, {
        display_yourself: method("function (self) { return 'me' }"),
        caller: method("function (self) { return self.send('display_yourself') }"),
        '#9 showAll': method("function (self) { return 'display everything' }"),
      });
      expect(await selectors(sendersOf(image, 'display_yourself'))).toEqual([`#${shows} caller`]);
      expect(await selectors(image.implementors('showAll', 10))).toEqual([`#${shows} showAll`]);
      expect((await image.nearestMethods('display', 5))[0]?.selector).toBe('display_yourself');
      // Query syntax in a message is only words: nothing in it reaches the database as syntax.
      expect(await image.nearestMethods('"greet" OR * NEAR(', 5)).toEqual([]);
    });
  });

  it('pages senders past candidates that turn out not to send the selector', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      // Has the words `send` and `greet` but sends nothing: a candidate the rule turns down.
      const decoy = await objectWith(image, {
        note: method("function (self) { return 'send greet cards' }"),
      });
      const door = await objectWith(image, { welcome: method(WELCOME) });
      const first = await image.senders('greet', 1);
      expect(first).toEqual({ senders: [], read: 1, last: { oid: decoy, slot: 'note' } });
      const second = await image.senders('greet', 1, first.last);
      expect(await selectors(second.senders)).toEqual([`#${door} welcome`]);
      expect(second.read).toBe(1);
      expect(await image.senders('greet', 1, second.last)).toEqual({ senders: [], read: 0 });
    });
  });
});

describe.each(IMAGE_KINDS)('migration 0006 on %s', (kind) => {
  it('builds the index from the methods an existing image holds', async () => {
    const location = await freshImageLocation(kind);
    await imageBefore(location, '0006', async (db) => {
      const objects: Array<[number, Map<string, Slot>]> = [
        [0, new Map([['color', v('red')]])],
        [1, new Map([['greet', method(GREET)]])],
        [2, new Map([['welcome', method(WELCOME)]])],
      ];
      for (const [oid, slots] of objects)
        await sql`INSERT INTO objects (oid, slots) VALUES (${oid}, ${encodeSlots(slots)})`.execute(
          db,
        );
      await sql`UPDATE meta SET value = '3' WHERE key = 'next_oid'`.execute(db);
    });
    await withImage(location, async (image) => {
      expect(await selectors(image.implementors('greet', 10))).toEqual(['#1 greet']);
      expect(await selectors(sendersOf(image, 'greet'))).toEqual(['#2 welcome']);
      expect((await image.nearestMethods('greets name', 1))[0]?.doc).toBe(
        'Greets someone by name.',
      );
      expect(image.integrityCheck()).toBe('ok');
    });
  });
});
