import { describe, expect, it } from 'vitest';
import { GENESIS, TRAITS } from '../../src/core/model/primordial.ts';
import { PARENT_SLOT, ref, type Value } from '../../src/core/model/value.ts';
import { namedObject } from '../../src/core/model/name-table.ts';
import {
  LAST_AUDIT_SLOT,
  runAudit,
  type AuditFinding,
  type AuditSummary,
} from '../../src/personas/index.ts';
import { freshImageLocation, IMAGE_KINDS } from '../support/images.ts';
import { openPersonaCore, type PersonaCore } from '../support/personas.ts';

const system = { who: 'system:test', platform: 'console' } as const;

async function lastAudit(core: PersonaCore): Promise<AuditSummary> {
  const text = await core.ok(`alfred getSlot ${LAST_AUDIT_SLOT}`);
  return JSON.parse(text) as AuditSummary;
}

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
    expect(await core.ok('alfred getSlot lastAuditAt')).toBe(summary.at);
    // A second audit still passes: the stored summary is itself in good order.
    expect(await core.ok('alfred auditPersistence')).toContain('The image is in good order');
  });

  it('finds and names each planted defect', async () => {
    const core = await openPersonaCore({ imagePath: await freshImageLocation(kind) });
    await core.ok('genesis setSlot items []');
    await core.ok(`genesis defineMethod addItem ${JSON.stringify(LOST_WRITE)}`);
    const { result: orphan } = await core.uvm.asSystem(system, (tx) => {
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
    expect(core.image.countObjects()).toBe(before - 2);
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

  it('keeps its summary as plain data in the image', async () => {
    const core = await openPersonaCore();
    await core.ok('alfred auditPersistence');
    const oid = await alfredOid(core);
    const stored = await core.uvm.readCommitted((tx) => tx.getSlot(oid, LAST_AUDIT_SLOT));
    expect(stored?.kind).toBe('value');
    expect((stored as { value: Value }).value).toMatchObject({ integrity: 'ok' });
  });
});
