import { describe, expect, it } from 'vitest';
import { seed, v, who, withImage } from './support.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';

describe.each(IMAGE_KINDS)('Image on %s', (kind) => {
  it('commits durably: a reopened image has every committed write, in slot order', async () => {
    const path = await freshImageLocation(kind);
    await withImage(path, async (image) => {
      const tx = image.begin(who);
      const a = tx.create([
        ['z', v(1)],
        ['a', v({ list: [1, 2] })],
      ]);
      tx.setSlot(a, 'm', { kind: 'method', source: 'function (self) { return 1 }' });
      expect(await image.commit(tx)).toBe(1);
    });
    await withImage(path, async (image) => {
      expect([...image.read(0)!.entries()]).toEqual([
        ['z', v(1)],
        ['a', v({ list: [1, 2] })],
        ['m', { kind: 'method', source: 'function (self) { return 1 }' }],
      ]);
      expect(image.nextOid).toBe(1);
    });
  });

  it('rolls back by dropping the transaction: neither disk nor cache sees its writes', async () => {
    const path = await freshImageLocation(kind);
    await withImage(path, async (image) => {
      const [a] = (await seed(image, 1)) as [number];
      const tx = image.begin(who);
      tx.setSlot(a, 'n', v('changed'));
      tx.create([['x', v(1)]]);
      expect(tx.getSlot(a, 'n')).toEqual(v('changed'));
      // dropped without commit
      expect(image.read(a)!.get('n')).toEqual(v(0));
      expect(image.nextOid).toBe(1);
    });
    await withImage(path, async (image) => {
      expect(image.read(0)!.get('n')).toEqual(v(0));
      expect(image.countObjects()).toBe(1);
    });
  });

  it('records no transaction for a send that changed nothing', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      await seed(image, 1);
      const tx = image.begin(who);
      tx.setSlot(0, 'n', v(0));
      expect(await image.commit(tx)).toBeUndefined();
      expect(await image.history()).toHaveLength(1);
    });
  });

  it('loads objects lazily', async () => {
    const path = await freshImageLocation(kind);
    await withImage(path, (image) => seed(image, 500));
    await withImage(path, async (image) => {
      expect(image.cachedObjects).toBe(0);
      expect(image.read(250)!.get('n')).toEqual(v(250));
      expect(image.cachedObjects).toBe(1);
      expect(image.read(9999)).toBeUndefined();
    });
  });

  it('keeps history with who, which message, and each slot before and after', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      await seed(image, 2);
      const tx = image.begin({ ...who, message: 'set it', channel: 'c1' });
      tx.setSlot(1, 'n', v('one'));
      tx.setSlot(1, 'extra', v(true));
      const id = (await image.commit(tx))!;
      const [entry] = await image.history({ oid: 1, limit: 1 });
      expect(entry).toMatchObject({
        tx: id,
        who: 'console:test',
        message: 'set it',
        channel: 'c1',
      });
      expect(entry!.changes).toEqual([
        { oid: 1, slot: 'n', before: v(1), after: v('one'), beforeIndex: null },
        { oid: 1, slot: 'extra', before: undefined, after: v(true), beforeIndex: null },
      ]);
      expect((await image.history({ oid: 0 })).map((e) => e.tx)).toEqual([1]);
    });
  });

  it('undoes a transaction, restoring values and slot order, and undoes an undo', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      const tx = image.begin(who);
      tx.create([
        ['a', v(1)],
        ['b', v(2)],
        ['c', v(3)],
      ]);
      await image.commit(tx);
      const change = image.begin(who);
      change.removeSlot(0, 'b');
      change.setSlot(0, 'a', v('A'));
      const changed = (await image.commit(change))!;
      expect([...image.read(0)!.keys()]).toEqual(['a', 'c']);

      const undo = (await image.prepareUndo(who)).tx!;
      expect(undo.info.undoOf).toBe(changed);
      const undoId = (await image.commit(undo))!;
      expect([...image.read(0)!.entries()]).toEqual([
        ['a', v(1)],
        ['b', v(2)],
        ['c', v(3)],
      ]);
      const [undone] = await image.history({ tx: changed });
      expect(undone!.undoneBy).toBe(undoId);
      expect((await image.prepareUndo(who, changed)).obstacle).toEqual({
        kind: 'undone',
        tx: changed,
        undoneBy: undoId,
      });

      await image.commit((await image.prepareUndo(who, undoId)).tx!);
      expect(image.read(0)!.get('a')).toEqual(v('A'));
    });
  });

  it('refuses to undo a transaction whose slots changed since, naming the later one', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      await seed(image, 1);
      const first = image.begin(who);
      first.setSlot(0, 'n', v('first'));
      const firstId = (await image.commit(first))!;
      const second = image.begin(who);
      second.setSlot(0, 'n', v('second'));
      const secondId = (await image.commit(second))!;
      const prepared = await image.prepareUndo(who, firstId);
      expect(prepared.obstacle).toEqual({
        kind: 'changed-since',
        tx: firstId,
        oid: 0,
        slot: 'n',
        later: secondId,
      });
      expect(prepared.tx).toBeUndefined();
      expect((await image.prepareUndo(who, 999)).obstacle).toEqual({
        kind: 'unknown',
        tx: 999,
        forgotten: false,
      });
    });
  });

  it('collects what the root cannot reach, through nested references and cycles', async () => {
    const path = await freshImageLocation(kind);
    await withImage(path, async (image) => {
      const tx = image.begin(who);
      const root = tx.create();
      const kept = tx.create();
      const deep = tx.create();
      const lostA = tx.create();
      const lostB = tx.create([['peer', v({ $ref: lostA })]]);
      tx.setSlot(lostA, 'peer', v({ $ref: lostB }));
      tx.setSlot(root, 'things', v({ list: [{ $ref: kept }] }));
      tx.setSlot(kept, 'deep', v([[{ $ref: deep }]]));
      tx.setSlot(deep, 'back', v({ $ref: root }));
      await image.commit(tx);
      const result = await image.collect();
      expect(result).toMatchObject({ deleted: 2, remaining: 3 });
      expect(image.read(lostA)).toBeUndefined();
      expect(image.read(deep)).toBeDefined();
      expect(image.integrityCheck()).toBe('ok');
    });
  });

  it('forgets history older than asked, keeping objects and newer undo', async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      await seed(image, 1);
      const change = image.begin(who);
      change.setSlot(0, 'n', v('changed'));
      const changed = (await image.commit(change))!;
      const undo = (await image.commit((await image.prepareUndo(who, changed)).tx!))!;
      // Keeping 0 days forgets everything committed before now (a moment later).
      await new Promise((resolve) => setTimeout(resolve, 5));
      const result = await image.collect({ keepHistoryDays: 0 });
      expect(result.forgottenTransactions).toBe(3);
      expect(await image.history()).toEqual([]);
      expect(image.read(0)!.get('n')).toEqual(v(0));
      expect(image.foreignKeyCheck()).toEqual([]);
      expect((await image.prepareUndo(who, undo)).obstacle).toMatchObject({
        kind: 'unknown',
        tx: undo,
      });
      const later = image.begin(who);
      later.setSlot(0, 'n', v('later'));
      await image.commit(later);
      expect((await image.collect({ keepHistoryDays: 1 })).forgottenTransactions).toBe(0);
      expect(await image.history()).toHaveLength(1);
    });
  });

  it("keeps the front ends' ledger: an event is delivered once, a thread is remembered", async () => {
    await withImage(await freshImageLocation(kind), async (image) => {
      expect(await image.ledger.firstDelivery('slack', 'Ev1')).toBe(true);
      expect(await image.ledger.firstDelivery('slack', 'Ev1')).toBe(false);
      expect(await image.ledger.firstDelivery('discord', 'Ev1')).toBe(true);
      expect(await image.ledger.answeredIn('slack', 'C1/1.5')).toBe(false);
      await image.ledger.rememberThread('slack', 'C1/1.5');
      await image.ledger.rememberThread('slack', 'C1/1.5');
      expect(await image.ledger.answeredIn('slack', 'C1/1.5')).toBe(true);
      expect(await image.ledger.answeredIn('discord', 'C1/1.5')).toBe(false);
    });
  });
});
