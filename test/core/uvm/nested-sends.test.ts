/** A nested send is a savepoint: a failing callee's writes go, even if its caller catches. */
import { describe, expect, it } from 'vitest';
import { openTestCore } from '../../support/core.ts';

describe('nested sends', () => {
  it("roll back a failing callee's writes while the caller's stay", async () => {
    const core = await openTestCore();
    await core.ok(
      `genesis defineMethod b "function (self) { self.set('fromB', 1); self.send('clone'); throw new Error('b failed'); }"`,
    );
    await core.ok(
      `genesis defineMethod a "function (self) { self.set('fromA', 1); try { self.send('b'); } catch (e) { self.set('caught', e.message); } return 'ok'; }"`,
    );
    const objects = core.image.countObjects();
    expect(await core.ok('genesis a')).toBe('ok');
    expect(await core.ok('genesis respondsTo fromB')).toBe('false');
    expect(await core.ok('genesis fromA')).toBe('1');
    expect(await core.ok('genesis caught')).toBe('b failed');
    expect(core.image.countObjects()).toBe(objects);
    const [last] = await core.image.history({ limit: 1 });
    expect(last!.changes.map((c) => c.slot)).toEqual(['fromA', 'caught']);
  });

  it('roll back only the failing level of a deeper chain', async () => {
    const core = await openTestCore();
    await core.ok(
      `genesis defineMethod c "function (self) { self.set('c', 1); self.remove('keep'); throw new Error('c'); }"`,
    );
    await core.ok(
      `genesis defineMethod b "function (self) { self.set('b', 1); try { self.send('c'); } catch (e) {} return 'b'; }"`,
    );
    await core.ok(
      `genesis defineMethod a "function (self) { self.send('b'); self.set('a', 1); return 'a'; }"`,
    );
    await core.ok('genesis setSlot keep "yes"');
    await core.ok('genesis setSlot order 0');
    expect(await core.ok('genesis a')).toBe('a');
    expect(await core.ok('genesis keep')).toBe('yes');
    expect(await core.ok('genesis respondsTo c')).toBe('true'); // the method c, not a slot c
    expect(JSON.parse(await core.ok('genesis slotNames'))).toEqual([
      'parent*',
      'c',
      'b',
      'a',
      'keep',
      'order',
    ]);
  });

  it('roll back a failing primitive sent from a method', async () => {
    const core = await openTestCore();
    await core.ok(
      `genesis defineMethod tryName "function (self) { try { self.send('name', 'undo'); } catch (e) { return 'refused'; } return 'named'; }"`,
    );
    expect(await core.ok('genesis tryName')).toBe('refused');
  });
});
