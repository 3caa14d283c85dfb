import { describe, expect, it } from 'vitest';
import { LAST_AUDIT_SLOT } from '../../src/core/model/audit-summary.ts';
import { GENESIS, TRAITS } from '../../src/core/model/primordial.ts';
import { PARENT_SLOT, ref, type Value } from '../../src/core/model/value.ts';
import { namedObject } from '../../src/core/model/name-table.ts';
import type { Send } from '../../src/core/protocol.ts';
import { auditRecord, lastAudit as keptAudit } from '../../src/core/uvm/audits.ts';
import { isSystemPrivate } from '../../src/core/uvm/system-objects.ts';
import {
  installPersonas,
  runAudit,
  type AuditFinding,
  type AuditSummary,
} from '../../src/personas/index.ts';
import { freshImageLocation, IMAGE_KINDS } from '../support/images.ts';
import { replyToPlainText } from '../support/reply-text.ts';
import { openPersonaCore, type PersonaCore } from '../support/personas.ts';

const system = { who: 'system:test', platform: 'console' } as const;

/** The last audit as the system's audit record keeps it, unfiltered. */
async function lastAudit(core: PersonaCore): Promise<AuditSummary> {
  const summary = await core.uvm.readCommitted((tx) => keptAudit(tx));
  expect(summary).toBeDefined();
  return summary!;
}

const member = (id: string): Partial<Send> => ({
  platform: 'discord',
  sender: { id, name: id, isAdmin: false },
  channel: `dm-${id}`,
  reach: 'direct',
  adminChannel: false,
});

function alfredOid(core: PersonaCore): Promise<number> {
  return core.uvm.readCommitted((tx) => namedObject(tx, 'alfred')!);
}

const LOST_WRITE =
  "function (self, item) { const xs = self.get('items'); xs.push(item); return xs.length; }";

describe.each(IMAGE_KINDS)("ALFRED's persistence audit on %s", (kind) => {
  it('passes a clean image, in his voice, and keeps the summary on him', async () => {
    const core = await openPersonaCore({ imagePath: await freshImageLocation(kind) });
    const reply = await core.say('ALFRED, audit persistence');
    expect(reply).toMatchObject({ status: 'ok', persona: 'ALFRED' });
    const text = reply.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
    expect(text).toMatch(/^Indeed, sir\. I have examined \d+ objects and 0 methods/u);
    expect(text).toContain('The image is in good order');
    const summary = await lastAudit(core);
    expect(summary).toMatchObject({ integrity: 'ok', methods: 0, findings: [] });
    expect(summary.objects).toBeGreaterThanOrEqual(9);
    expect(await core.ok('alfred lastAudit')).toContain('The image is in good order');
    // A second audit still passes: the stored summary is itself in good order.
    expect(await core.ok('alfred auditPersistence')).toContain('The image is in good order');
  });

  it('finds and names each planted defect', async () => {
    const core = await openPersonaCore({ imagePath: await freshImageLocation(kind) });
    await core.ok('genesis setSlot items []');
    // Planted in a transaction, as an older image could hold them: defineMethod refuses them.
    const { result: orphan } = await core.uvm.asSystem(system, (tx) => {
      tx.setSlot(GENESIS, 'addItem', { kind: 'method', source: LOST_WRITE });
      tx.setSlot(GENESIS, 'friend', { kind: 'value', value: ref(9_999) });
      tx.setSlot(GENESIS, 'broken', { kind: 'method', source: 'function (self) { return ((; }' });
      return tx.create([[PARENT_SLOT, { kind: 'value', value: ref(TRAITS) }]]);
    });
    const report = await core.ok('ALFRED, please audit persistence');
    expect(report).toContain('I regret to report');
    expect(report).toMatch(/Lost writes:\n- #3 'addItem': 1:\d+: /u);
    expect(report).toMatch(
      /Dangling references:\n- #3 'friend': refers to #9999, which does not exist/u,
    );
    expect(report).toMatch(/Methods that do not compile:\n- #3 'broken': /u);
    expect(report).toMatch(
      new RegExp(`Unreachable objects:\\n- #${orphan}: is not reachable from the root`, 'u'),
    );
    const kinds = (await lastAudit(core)).findings.map((f: AuditFinding) => [
      f.kind,
      f.oid,
      f.slot,
    ]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['lost-write', GENESIS, 'addItem'],
        ['dangling-reference', GENESIS, 'friend'],
        ['uncompilable', GENESIS, 'broken'],
        ['unreachable', orphan, undefined],
      ]),
    );
    // The sandbox's compile error is reported once, not again as a parse finding.
    expect(kinds.filter(([, , slot]) => slot === 'broken')).toHaveLength(1);
  });
});

describe("ALFRED's persistence audit", () => {
  it('finds a lost-write method written directly in a transaction', async () => {
    const core = await openPersonaCore();
    await core.uvm.asSystem(system, (tx) => {
      tx.setSlot(GENESIS, 'addItem', { kind: 'method', source: LOST_WRITE });
    });
    const summary = await runAudit(core.image, { checkMethod: core.checkMethod });
    expect(summary.findings).toEqual([
      expect.objectContaining({ kind: 'lost-write', oid: GENESIS, slot: 'addItem' }),
    ]);
  });

  it('collects what is unreachable for an admin, and refuses anyone else', async () => {
    const core = await openPersonaCore();
    await core.ok('genesis clone');
    await core.ok('genesis clone');
    const guest = { sender: { id: 'guest', name: 'guest', isAdmin: false }, adminChannel: false };
    const refused = await core.say('alfred auditPersistence collect', guest);
    expect(refused.status).toBe('refused');
    const before = core.image.countObjects();
    const report = await core.ok('alfred auditPersistence collect');
    expect(report).toContain('The image is in good order');
    expect(report).toContain('I took the liberty of collecting 2 unreachable objects.');
    // Two collected; the first audit kept makes the audit record.
    expect(core.image.countObjects()).toBe(before - 2 + 1);
    expect(await lastAudit(core)).toMatchObject({ collected: 2, findings: [] });
  });

  it('refuses collect sent straight to the primitive, which cannot see who asks', async () => {
    const core = await openPersonaCore();
    const reply = await core.say(`#${await alfredOid(core)} auditPersistence collect`);
    expect(reply.status).toBe('refused');
  });

  it('counts what it does not list, and yields while it works', async () => {
    const core = await openPersonaCore();
    await core.uvm.asSystem(system, (tx) => {
      for (let i = 0; i < 30; i++)
        tx.create([[PARENT_SLOT, { kind: 'value', value: ref(TRAITS) }]]);
    });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const summary = await runAudit(core.image, {
      checkMethod: core.checkMethod,
      maxFindings: 10,
      yieldEvery: 1,
    });
    clearInterval(ticker);
    expect(summary.findings).toHaveLength(10);
    expect(summary.omitted).toBe(20);
    expect(ticks).toBeGreaterThan(0);
  });

  it("keeps its summary as plain data in the system's private record, never on ALFRED", async () => {
    const core = await openPersonaCore();
    await core.ok('alfred auditPersistence', member('alice'));
    const oid = await alfredOid(core);
    const { stored, onAlfred, record } = await core.uvm.readCommitted((tx) => {
      const at = auditRecord(tx)!;
      return {
        stored: tx.getSlot(at, LAST_AUDIT_SLOT),
        onAlfred: tx.getSlot(oid, LAST_AUDIT_SLOT),
        record: isSystemPrivate(tx, at),
      };
    });
    expect(record).toBe(true);
    expect(stored?.kind).toBe('value');
    expect((stored as { value: Value }).value).toMatchObject({ integrity: 'ok' });
    expect(onAlfred).toEqual({ kind: 'primitive', name: 'lastAudit' });
  });
});

describe("ALFRED's audit in a shared room", () => {
  /**
   * Bob's private safe and the genesis object (anyone reads it) each with a dangling
   * reference planted; Alice may read ALFRED and genesis, not the safe.
   */
  async function sharedRoom() {
    const core = await openPersonaCore();
    const bob = member('bob');
    const safe = Number(/#(\d+)/u.exec(await core.ok('genesis clone', bob))![1]);
    await core.ok(`#${safe} name safe`, bob);
    await core.ok('safe chmod private', bob);
    await core.uvm.asSystem(system, (tx) => {
      tx.setSlot(GENESIS, 'friend', { kind: 'value', value: ref(9_999) });
      tx.setSlot(safe, 'secretFriend', { kind: 'value', value: ref(9_998) });
    });
    return { core, safe, bob };
  }
  const WITHHELD = '1 finding on objects you may not read is withheld';

  it('tells a member only the findings on objects they may read, and counts the rest', async () => {
    const { core, safe, bob } = await sharedRoom();
    const alice = member('alice');
    const report = await core.ok('alfred auditPersistence', alice);
    expect(report).toContain(`#${GENESIS} 'friend': refers to #9999`);
    expect(report).not.toContain('secretFriend');
    expect(report).not.toContain(`#${safe} `);
    expect(report).toContain(WITHHELD);
    expect(report).toContain('I regret to report 2 matters');
    // The audit was kept whole: the owner of the safe and an admin see every finding.
    for (const who of [bob, {}]) {
      const full = await core.ok('alfred lastAudit', who);
      expect(full).toContain(`#${safe} 'secretFriend': refers to #9998`);
      expect(full).not.toContain('withheld');
    }
    expect((await lastAudit(core)).findings).toHaveLength(2);
  });

  it("leaks nothing through ALFRED's slots, his description or history", async () => {
    const { core } = await sharedRoom();
    const alice = member('alice');
    await core.ok('alfred auditPersistence', alice);
    const asked = await Promise.all(
      [
        'alfred lastAudit',
        'alfred getSlot lastAudit',
        'alfred describe',
        'alfred slotNames',
        'history alfred',
        // Her own transaction kept the audit: it shows without the record's change.
        'history',
      ].map(async (text) => [text, (await core.say(text, alice)).parts] as const),
    );
    for (const [text, parts] of asked) {
      const shown = JSON.stringify(parts);
      expect(shown, text).not.toContain('secretFriend');
      expect(shown, text).not.toContain('9998');
    }
    expect(JSON.stringify(asked[0]![1])).toContain(WITHHELD);
    expect(JSON.stringify(asked[5]![1])).toMatch(/\d changes? to objects you may not read/u);
    expect(await core.ok('alfred slotNames')).not.toContain('lastAuditAt');
  });

  it("moves an older image's summary off ALFRED into the record at the next start", async () => {
    const { core, safe } = await sharedRoom();
    const alfred = await alfredOid(core);
    const old = await runAudit(core.image, { checkMethod: core.checkMethod });
    expect(old.findings.map((f) => f.oid)).toContain(safe);
    // As an image from before the record kept it: on ALFRED, readable by every member, in
    // alice's own transaction (her `alfred auditPersistence` ran as the system).
    const kept = core.image.begin({ who: 'discord:alice', platform: 'discord' });
    kept.setSlot(alfred, LAST_AUDIT_SLOT, {
      kind: 'value',
      value: JSON.parse(JSON.stringify(old)) as Value,
    });
    kept.setSlot(alfred, 'lastAuditAt', { kind: 'value', value: old.at });
    const oldTx = await core.image.commit(kept);
    await installPersonas(core.uvm, system);
    const { onAlfred, at } = await core.uvm.readCommitted((tx) => ({
      onAlfred: tx.getSlot(alfred, LAST_AUDIT_SLOT),
      at: tx.getSlot(alfred, 'lastAuditAt'),
    }));
    expect(onAlfred).toEqual({ kind: 'primitive', name: 'lastAudit' });
    expect(at).toBeUndefined();
    expect(await lastAudit(core)).toEqual(old);
    const alice = member('alice');
    const report = await core.ok('alfred lastAudit', alice);
    expect(report).toContain(WITHHELD);
    expect(report).not.toContain('secretFriend');
    // History keeps the entry, but a member sees none of the old summary's values (the move
    // itself changed the private record, so it shows only who and when).
    const history = await core.ok('history alfred', alice);
    expect(history).toMatch(
      new RegExp(
        `tx ${oldTx} .*\n.*alfred lastAudit: primitive lastAudit → a value \\(withheld: only admins see it\\)\n.*alfred lastAuditAt: \\(absent\\) → a value \\(withheld`,
        'u',
      ),
    );
    for (const leak of [old.at, '"at"', '"kind"', '"objects"', 'secretFriend'])
      expect(history).not.toContain(leak);
    // An admin still sees them; and alice's old transaction refuses to be undone, changing nothing.
    expect(await core.ok('history alfred')).toContain(old.at);
    const newest = await core.image.history({ limit: 1 });
    expect(replyToPlainText(await core.say(`undo ${oldTx}`, alice))).toMatch(
      new RegExp(
        `^Cannot undo transaction ${oldTx}: slot "lastAudit(At)?" of #${alfred} has changed since, by BAT OS itself \\(transaction \\d+\\), which cannot be undone\\.$`,
        'u',
      ),
    );
    expect(await core.image.history({ limit: 1 })).toEqual(newest);
    // A second start changes nothing more.
    const before = await core.image.history({ limit: 1 });
    await installPersonas(core.uvm, system);
    expect(await core.image.history({ limit: 1 })).toEqual(before);
  });
});
