import { describe, expect, it } from 'vitest';
import { callerAuthority, systemAuthority } from '../../../src/core/access/authority.ts';
import { AccessGuard } from '../../../src/core/access/guard.ts';
import type { Caller } from '../../../src/core/access/principal.ts';
import { DEFAULT_QUOTAS } from '../../../src/core/access/quotas.ts';
import { SendError } from '../../../src/core/errors.ts';
import type { Image } from '../../../src/core/image/index.ts';
import { OWNER_SLOT } from '../../../src/core/model/object-access.ts';
import { freshImageLocation } from '../../support/images.ts';
import { v, who, withImage } from '../image/support.ts';

const alice: Caller = {
  principal: 'console:alice',
  platform: 'console',
  admin: false,
  operator: false,
  programmer: true,
  adminChannel: false,
};

/** A send's guard for alice over `image`, one send writing at most `maxSendBytes`. */
function alicesGuard(image: Image, maxSendBytes = DEFAULT_QUOTAS.maxSendBytes): AccessGuard {
  return AccessGuard.forSend(callerAuthority(alice), {
    quotas: { ...DEFAULT_QUOTAS, maxSendBytes },
    rules: [],
    ownedObjects: (owner) => image.ownedObjects(owner),
    storedBytes: (oid) => image.storedBytes(oid),
    historyBytesToday: (by) => image.historyBytesToday(by),
  });
}

/** Commits one system-owned object (#0) and one of alice's (#1). */
async function seedOwners(image: Image): Promise<void> {
  const tx = image.begin(who);
  tx.create([['n', v(0)]]);
  tx.create([
    [OWNER_SLOT, v(alice.principal)],
    ['n', v(0)],
  ]);
  await image.commit(tx);
}

describe('a guard per authority', () => {
  it("writes as BAT OS through another authority's view of the same transaction, and the send's guard stays the caller's", async () => {
    await withImage(await freshImageLocation('sqlite'), async (image) => {
      await seedOwners(image);
      const guard = alicesGuard(image);
      const tx = image.begin(who, guard);
      expect(() => tx.setSlot(0, 'n', v(1))).toThrow(SendError);
      const system = tx.checkedBy(guard.as(systemAuthority(alice.principal)));
      system.setSlot(0, 'n', v(1));
      tx.setSlot(1, 'n', v(2));
      // One transaction: each view sees the other's writes, and the commit keeps both.
      expect(tx.getSlot(0, 'n')).toEqual(v(1));
      expect(system.getSlot(1, 'n')).toEqual(v(2));
      expect(guard.authority.principal).toBe(alice.principal);
      expect(() => tx.setSlot(0, 'm', v(3))).toThrow(/only its owner and admins may change it/);
      await image.commit(tx);
      expect(image.read(0)!.get('n')).toEqual(v(1));
      expect(image.read(1)!.get('n')).toEqual(v(2));
    });
  });

  it("counts every authority's writes toward the one send's quotas, and a savepoint takes back a view's writes", async () => {
    await withImage(await freshImageLocation('sqlite'), async (image) => {
      await seedOwners(image);
      const guard = alicesGuard(image, 60);
      const tx = image.begin(who, guard);
      const mark = tx.savepoint();
      tx.setSlot(1, 'a', v('x'.repeat(20)));
      const system = tx.checkedBy(guard.as(systemAuthority(alice.principal)));
      // 43 bytes alone would pass; with alice's 23 the send passes its 60.
      expect(() => system.setSlot(0, 'b', v('y'.repeat(40)))).toThrow(/BATOS_MAX_SEND_BYTES/);
      expect(system.getSlot(0, 'b')).toBeUndefined();
      tx.rollbackTo(mark);
      expect(system.getSlot(1, 'a')).toBeUndefined();
    });
  });
});
