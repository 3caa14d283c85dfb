/**
 * Commits that are ready together share one statement (group commit, see
 * src/core/image/postgres/commit-batches.ts): on a real PostgreSQL, each send still commits
 * or conflicts on its own, and none is lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../../../src/core/bot/bot.ts';
import { ImageError } from '../../../../src/core/errors.ts';
import { Image } from '../../../../src/core/image/index.ts';
import type { Transaction } from '../../../../src/core/image/transaction.ts';
import { silentLogger } from '../../../../src/core/log.ts';
import type { Slot, Value } from '../../../../src/core/model/value.ts';
import { QuickJsMethodRunner } from '../../../../src/core/sandbox/index.ts';
import { Uvm } from '../../../../src/core/uvm/uvm.ts';
import { freshPostgresDatabase } from '../../../support/images.ts';
import { tempDir } from '../../../support/temp.ts';

const v = (value: Value): Slot => ({ kind: 'value', value });
const as = (who: string) => ({ who: `discord:${who}`, platform: 'discord' });

const opened: Image[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((image) => image.close()));
});

async function open(url: string): Promise<Image> {
  const image = await Image.open(url);
  opened.push(image);
  return image;
}

/** An image over a fresh database with `count` objects, each `n: 0`. */
async function seeded(count: number): Promise<[Image, string, number[]]> {
  const url = await freshPostgresDatabase();
  const image = await open(url);
  const seeding = image.begin(as('seeder'));
  const oids = Array.from({ length: count }, () => seeding.create([['n', v(0)]]));
  await image.commit(seeding);
  return [image, url, oids];
}

/**
 * Commits every transaction at once (all in one turn, so those behind the first statements
 * wait and go together); what each came to: its id, or the error it got.
 */
function commitAtOnce(image: Image, txs: Transaction[]): Promise<Array<number | ImageError>> {
  return Promise.all(
    txs.map((tx) =>
      image.commit(tx).then(
        (id) => id!,
        (error: unknown) => {
          expect(error).toBeInstanceOf(ImageError);
          return error as ImageError;
        },
      ),
    ),
  );
}

describe('commits that go to PostgreSQL together', () => {
  it('lands every send of many callers, each its own transaction in history', async () => {
    const [image, url, oids] = await seeded(40);
    const txs = oids.map((oid) => {
      const tx = image.begin(as(`caller-${oid}`));
      tx.setSlot(oid, 'n', v(oid + 100));
      return tx;
    });
    const ids = await commitAtOnce(image, txs);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(new Set(ids).size).toBe(oids.length);
    // Each send's history names its own caller and holds only its own change.
    const history = await image.history({ limit: 100 });
    expect(history).toHaveLength(oids.length + 1);
    for (const [k, oid] of oids.entries()) {
      const entry = history.find((e) => e.tx === ids[k]);
      expect(entry?.who).toBe(`discord:caller-${oid}`);
      expect(entry?.changes.map((c) => [c.oid, c.slot])).toEqual([[oid, 'n']]);
    }
    // Another process sees every write, each object at its own send's version.
    const other = await open(url);
    for (const oid of oids) expect(other.read(oid)!.get('n')).toEqual(v(oid + 100));
  });

  it("fails only the send whose reads went stale, never its neighbours'", async () => {
    const [first, url, oids] = await seeded(6);
    const second = await open(url);
    for (const oid of oids) second.read(oid);
    // The first process changes the last object after the second read it.
    const winner = first.begin(as('winner'));
    winner.setSlot(oids.at(-1)!, 'n', v('first'));
    await first.commit(winner);
    const txs = oids.map((oid) => {
      const tx = second.begin(as(`caller-${oid}`));
      tx.setSlot(oid, 'n', v(`second-${oid}`));
      return tx;
    });
    const results = await commitAtOnce(second, txs);
    const stale = results.at(-1);
    expect(stale).toBeInstanceOf(ImageError);
    expect((stale as ImageError).code).toBe('conflict');
    expect((stale as ImageError).message).toMatch(
      new RegExp(`#${oids.at(-1)} changed in another process`),
    );
    expect(results.slice(0, -1).every((r) => typeof r === 'number')).toBe(true);
    await second.refresh();
    expect(second.read(oids.at(-1)!)!.get('n')).toEqual(v('first'));
    for (const oid of oids.slice(0, -1))
      expect(second.read(oid)!.get('n')).toEqual(v(`second-${oid}`));
    // The seed, the winner, and every send but the stale one.
    expect(await second.history({ limit: 100 })).toHaveLength(2 + oids.length - 1);
  });

  it('lets only one of two sends here that wrote the same object commit, losing neither silently', async () => {
    const [image, , oids] = await seeded(5);
    const [shared, ...others] = oids as [number, ...number[]];
    const txs = others.map((oid) => {
      const tx = image.begin(as(`caller-${oid}`));
      tx.setSlot(oid, 'n', v(1));
      return tx;
    });
    // Both read the shared object at the same version and add to it.
    const a = image.begin(as('a'));
    a.setSlot(shared, 'n', v(10));
    const b = image.begin(as('b'));
    b.setSlot(shared, 'n', v(20));
    const results = await commitAtOnce(image, [...txs, a, b]);
    const [ra, rb] = results.slice(-2);
    // Exactly one of them committed; the other was told `conflict` (the UVM runs it again).
    const committed = [ra, rb].filter((r) => typeof r === 'number');
    expect(committed).toHaveLength(1);
    expect([ra, rb].find((r) => r instanceof ImageError)?.code).toBe('conflict');
    expect(image.read(shared)!.get('n')).toEqual(v(typeof ra === 'number' ? 10 : 20));
    expect(results.slice(0, -2).every((r) => typeof r === 'number')).toBe(true);
  });

  it('gives objects created by sends committed together different oids, or a conflict', async () => {
    const [image, url] = await seeded(0);
    const txs = Array.from({ length: 6 }, (_, k) => {
      const tx = image.begin(as(`maker-${k}`));
      tx.create([['maker', v(k)]]);
      return tx;
    });
    const results = await commitAtOnce(image, txs);
    // All numbered from the same next free oid: the first lands, the rest must run again.
    expect(results.filter((r) => typeof r === 'number')).toHaveLength(1);
    expect(results.filter((r) => r instanceof ImageError && r.code === 'conflict')).toHaveLength(5);
    const other = await open(url);
    expect(other.countObjects()).toBe(1);
  });

  it('writes what only some sends of a statement need — a creation, an undo, a method — and the plain ones beside them', async () => {
    const [image, url, oids] = await seeded(5);
    const [plain, undone, methodHolder, later] = oids;
    const first = image.begin(as('first'));
    first.setSlot(undone!, 'n', v('to undo'));
    const undoTarget = (await image.commit(first))!;
    const plainTx = image.begin(as('plain'));
    plainTx.setSlot(plain!, 'n', v('plain'));
    const creating = image.begin(as('creator'));
    const created = creating.create([['made', v(true)]]);
    const undo = (await image.prepareUndo(as('undoer'), undoTarget)).tx!;
    const defining = image.begin(as('definer'));
    defining.setSlot(methodHolder!, 'greet', {
      kind: 'method',
      source: "function (self) { return 'hi' }",
      provenance: { author: 'human', by: 'discord:definer', at: '2026-12-07T00:00:00.000Z' },
    });
    const ids = await commitAtOnce(image, [plainTx, creating, undo, defining]);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    // Then a batch of plain sends alone, on the same connections.
    const again = [plain!, later!].map((oid) => {
      const tx = image.begin(as(`again-${oid}`));
      tx.setSlot(oid, 'n', v('again'));
      return tx;
    });
    expect((await commitAtOnce(image, again)).every((id) => typeof id === 'number')).toBe(true);
    // Another process reads each part from the database.
    const other = await open(url);
    expect(other.read(created)!.get('made')).toEqual(v(true));
    expect(other.read(undone!)!.get('n')).toEqual(v(0));
    expect((await other.history({ tx: undoTarget, limit: 1 }))[0]!.undoneBy).toBe(ids[2]);
    expect((await other.implementors('greet', 10)).map((m) => m.oid)).toEqual([methodHolder]);
    for (const oid of [plain!, later!]) expect(other.read(oid)!.get('n')).toEqual(v('again'));
    const fresh = other.begin(as('next'));
    expect(fresh.create([['after', v(1)]])).toBe(created + 1);
  });

  it("fails only the send whose own data the database refuses, not the others' in its statement", async () => {
    const [image, , oids] = await seeded(6);
    const txs = oids.map((oid) => {
      // PostgreSQL's text cannot hold a NUL character: this message makes the statement fail.
      const tx = image.begin({
        ...as(`caller-${oid}`),
        message: oid === oids[4] ? 'a\u0000b' : 'ok',
      });
      tx.setSlot(oid, 'n', v(oid + 1));
      return tx;
    });
    const results = await commitAtOnce(image, txs);
    const refused = results[4];
    expect(refused).toBeInstanceOf(ImageError);
    expect((refused as ImageError).code).toBe('io');
    expect(results.filter((r) => typeof r === 'number')).toHaveLength(oids.length - 1);
    expect(await image.history({ limit: 100 })).toHaveLength(oids.length);
  });

  it('loses no increment when many people send to one counter at once (conflicts run again)', async () => {
    const url = await freshPostgresDatabase();
    const uvm = new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() });
    try {
      await uvm.bootstrap({ who: 'system:test', platform: 'console' });
      const bot = new Bot({ uvm, log: silentLogger, backupDir: tempDir() });
      const say = async (id: string, text: string) => {
        const reply = await bot.handle({
          platform: 'console',
          sender: { id, name: id, isAdmin: id === 'admin' },
          channel: 'console',
          text,
          mentions: [],
          adminChannel: id === 'admin',
        });
        expect(reply.status, JSON.stringify(reply)).toBe('ok');
        return reply.parts.map((p) => (p.kind === 'text' ? p.text : p.code)).join(' ');
      };
      await say('admin', 'genesis setSlot count 0');
      await say(
        'admin',
        `genesis defineMethod increment "function (self) { const n = self.get('count') + 1; self.set('count', n); return n }"`,
      );
      const people = 12;
      const each = 3;
      const seen = await Promise.all(
        Array.from({ length: people }, async (_, k) => {
          const values: number[] = [];
          for (let i = 0; i < each; i += 1)
            values.push(Number(await say(`person-${k}`, 'genesis increment')));
          return values;
        }),
      );
      // Every send saw a count of its own: none was lost, none counted twice.
      expect(seen.flat().sort((a, b) => a - b)).toEqual(
        Array.from({ length: people * each }, (_, n) => n + 1),
      );
      expect(await say('admin', 'genesis count')).toBe(String(people * each));
      const history = await (await open(url)).history({ limit: 1000 });
      for (let k = 0; k < people; k += 1)
        expect(history.filter((e) => e.who === `console:person-${k}`)).toHaveLength(each);
    } finally {
      await uvm.close();
    }
  });
});
