/**
 * The image's statistics and ALFRED's audits through the UVM, on SQLite and PostgreSQL, as
 * the browser's image and audits pages read them: an admin's counts match the image read
 * directly; another person sees their own objects and only methods and findings on objects
 * they may read; call counts follow the sends; audits come newest first from history.
 */
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../src/core/access/principal.ts';
import { encodeSlots } from '../../../src/core/image/codec.ts';
import { installPersonas } from '../../../src/personas/index.ts';
import { recordAudit } from '../../../src/personas/audit-record.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';

const person = (id: string) => ({ sender: { id, name: id, isAdmin: false } });
const ada = person('ada');
const bob = person('bob');

const callerOf = (principal: string, admin: boolean): Caller => ({
  principal,
  platform: 'console',
  admin,
  operator: admin,
  programmer: true,
  adminChannel: admin,
});
const admin = callerOf('console:operator', true);
const adaCaller = callerOf('console:ada', false);

/** ada's shared box (a big slot, a greet method) and bob's private safe (a method). */
async function twoPeople(kind: (typeof IMAGE_KINDS)[number]) {
  const core = await openTestCore({ imagePath: await freshImageLocation(kind) });
  const oid = async (text: string, who: typeof ada) =>
    Number(/#(\d+)/u.exec(await core.ok(text, who))![1]);
  const box = await oid('genesis clone', ada);
  await core.ok(`#${box} name box`, ada);
  await core.ok(`box setSlot notes ${JSON.stringify('x'.repeat(3_000))}`, ada);
  await core.ok(`box defineMethod greet "function (self, n) { return 'hi ' + n }"`, ada);
  await core.ok(`box defineMethod broken "function (self) { return self.get('no').length }"`, ada);
  const spare = await oid('genesis clone', ada);
  const safe = await oid('genesis clone', bob);
  await core.ok(`#${safe} name safe`, bob);
  await core.ok(`safe defineMethod open "function (self) { return 'open' }"`, bob);
  await core.ok('safe chmod private', bob);
  return { core, box, spare, safe };
}

/** The image's objects and their stored bytes, read directly. */
function directTotals(core: TestCore) {
  let objects = 0;
  let bytes = 0;
  for (const [, slots] of core.image.allObjects()) {
    objects += 1;
    bytes += Buffer.byteLength(encodeSlots(slots));
  }
  return { objects, bytes };
}

describe.each(IMAGE_KINDS)('the image statistics on %s', (kind) => {
  it('shows an admin the whole image, matching what the image holds, and anyone else their own objects', async () => {
    const { core, box, spare, safe } = await twoPeople(kind);
    const whole = await core.uvm.imageStats(admin);
    const direct = directTotals(core);
    expect(whole.scope).toBe('image');
    expect(whole.objects).toBe(core.image.countObjects());
    expect(whole.objects).toBe(direct.objects);
    expect(whole.objectBytes).toBe(direct.bytes);
    expect(whole.databaseBytes).toBeGreaterThan(0);
    expect(whole.historyBytes).toBe(await core.image.historySize());
    // Every object was created today, through history: the days add up to the count.
    expect(whole.growth.reduce((sum, day) => sum + day.created, 0)).toBe(whole.objects);
    expect(whole.largest[0]).toMatchObject({ oid: box, label: expect.stringContaining('box') });
    const sizes = whole.largest.map((object) => object.bytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(whole.largest.map((object) => object.oid)).toContain(safe);

    const own = await core.uvm.imageStats(adaCaller);
    expect(own.scope).toBe('own');
    expect(own).not.toHaveProperty('databaseBytes');
    expect(own.objects).toBe(core.image.ownedObjects('console:ada'));
    expect(own.objects).toBe(2);
    expect(own.largest.map((object) => object.oid)).toEqual([box, spare]);
    expect(own.growth.reduce((sum, day) => sum + day.created, 0)).toBe(2);
  });

  it('keeps its figures exact across creates, slot growth and shrink, undo, and collect', async () => {
    const { core, box, spare } = await twoPeople(kind);
    /** Each figure against the objects themselves: read whole, and ranked by stored size. */
    const exact = async () => {
      const whole = await core.uvm.imageStats(admin);
      expect({ objects: whole.objects, bytes: whole.objectBytes }).toEqual(directTotals(core));
      const own = await core.uvm.imageStats(adaCaller);
      const adas = await core.image.largestObjects(1_000, 0, 'console:ada');
      expect(own.objects).toBe(core.image.ownedObjects('console:ada'));
      expect(own.objects).toBe(adas.length);
      expect(own.objectBytes).toBe(adas.reduce((sum, object) => sum + object.bytes, 0));
      expect(own.largest.map((object) => object.oid)).toEqual(adas.map((object) => object.oid));
      return { whole, own };
    };
    const start = await exact();

    await core.ok(`box setSlot notes ${JSON.stringify('y'.repeat(3_900))}`, ada);
    const grown = await exact();
    expect(grown.whole.objectBytes).toBe(start.whole.objectBytes + 900);
    // Past the box, whose methods add to its notes.
    await core.ok(`#${spare} setSlot notes ${JSON.stringify('s'.repeat(3_950))}`, ada);
    await core.ok(`#${spare} setSlot more ${JSON.stringify('m'.repeat(1_000))}`, ada);
    expect((await exact()).own.largest.map((object) => object.oid)).toEqual([spare, box]);
    await core.ok(`#${spare} removeSlot notes`, ada);
    const before = await exact();
    expect(before.own.largest.map((object) => object.oid)).toEqual([box, spare]);
    await core.ok('box setSlot notes "short"', ada);
    expect((await exact()).whole.objectBytes).toBe(before.whole.objectBytes - 3_895);
    await core.ok('undo', ada);
    expect((await exact()).whole.objectBytes).toBe(before.whole.objectBytes);

    const temp = Number(/#(\d+)/u.exec(await core.ok('genesis clone', ada))![1]);
    await core.ok(`#${temp} name temp`, ada);
    expect((await exact()).whole.objects).toBe(grown.whole.objects + 1);
    await core.ok('root removeSlot temp', ada);
    // The spare was never named: it goes with the temp.
    expect(await core.ok('collect')).toMatch(/^Collected 2 unreachable objects/);
    const collected = await exact();
    expect(collected.whole.objects).toBe(grown.whole.objects - 1);
    expect(collected.own.largest.map((object) => object.oid)).toEqual([box]);
  });

  it('counts calls and failures, listing only methods on objects the caller may read', async () => {
    const { core, box, safe } = await twoPeople(kind);
    for (const n of [1, 2, 3]) await core.ok(`box greet ${n}`, ada);
    for (let i = 0; i < 4; i++) await core.ok('safe open', bob);
    for (let i = 0; i < 2; i++) expect((await core.say('box broken', ada)).status).not.toBe('ok');

    const whole = await core.uvm.imageStats(admin);
    expect(whole.mostCalled.map((m) => [m.holder.oid, m.selector, m.calls])).toEqual([
      [safe, 'open', 4],
      [box, 'greet', 3],
      [box, 'broken', 2],
    ]);
    expect(whole.mostFailing.map((m) => [m.holder.oid, m.selector, m.failures])).toEqual([
      [box, 'broken', 2],
    ]);

    const adas = await core.uvm.imageStats(adaCaller);
    expect(adas.mostCalled.map((m) => m.selector)).toEqual(['greet', 'broken']);
    expect(JSON.stringify(adas)).not.toContain('safe');
  });
});

describe.each(IMAGE_KINDS)("ALFRED's audits on %s", (kind) => {
  it('lists them newest first, links findings, and withholds those on objects the viewer may not read', async () => {
    const { core, box, safe } = await twoPeople(kind);
    await installPersonas(core.uvm, { who: 'system:test', platform: 'console' });
    const audit = (at: string, findings: { oid?: number; slot?: string; message: string }[]) =>
      core.uvm.asSystem({ who: 'system:heartbeat', platform: 'console' }, (tx) =>
        recordAudit(tx, {
          at,
          objects: 9,
          methods: 3,
          integrity: 'ok',
          findings: findings.map((f) => ({ kind: 'lost-write' as const, ...f })),
        }),
      );
    await audit('2026-12-01T10:00:00.000Z', []);
    await audit('2026-12-02T10:00:00.000Z', [
      { oid: box, slot: 'greet', message: 'greet loses a write' },
      { oid: safe, slot: 'open', message: 'open loses a write' },
      { message: 'transaction 3 undid 2, but 2 is not marked' },
      { oid: 9_999, slot: 'lost', message: 'on an object collected since' },
    ]);

    const { audits: all } = await core.uvm.audits(admin, { kind: 'name', name: 'alfred' });
    expect(all.map((a) => a.at)).toEqual(['2026-12-02T10:00:00.000Z', '2026-12-01T10:00:00.000Z']);
    expect(all[0]!.findings.map((f) => f.object?.oid)).toEqual([box, safe, undefined, undefined]);
    expect(all[0]!.findings[3]).toMatchObject({ gone: 9_999, slot: 'lost', method: false });
    expect(all[0]!.withheld).toBe(0);
    expect(all[0]!.by).toBe('system:heartbeat');

    const { audits: adas } = await core.uvm.audits(adaCaller, { kind: 'name', name: 'alfred' });
    expect(adas[0]!.findings).toEqual([
      {
        kind: 'lost-write',
        message: 'greet loses a write',
        slot: 'greet',
        object: { oid: box, label: expect.stringContaining('box') },
        method: true,
      },
      { kind: 'lost-write', message: 'transaction 3 undid 2, but 2 is not marked', method: false },
    ]);
    // The safe's finding, and the one on an object gone (whose access cannot be read).
    expect(adas[0]!.withheld).toBe(2);
    expect(JSON.stringify(adas)).not.toContain('open loses');
  });
});
