import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/core/log.ts';
import { GENESIS } from '../../src/core/model/primordial.ts';
import { lastAudit } from '../../src/core/uvm/audits.ts';
import { startHeartbeat, type AuditSummary } from '../../src/personas/index.ts';
import { openPersonaCore, type PersonaCore } from '../support/personas.ts';

const METHOD = 'function (self) { return 1; }';

function recorded(core: PersonaCore): Promise<AuditSummary | undefined> {
  return core.uvm.readCommitted((tx) => lastAudit(tx));
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the heartbeat', () => {
  it("keeps ALFRED's audit in the system's record, as BAT OS itself, until stopped", async () => {
    const core = await openPersonaCore();
    const heartbeat = startHeartbeat({
      uvm: core.uvm,
      intervalMs: 10,
      log: silentLogger,
      checkMethod: core.checkMethod,
    });
    await until(async () => (await recorded(core)) !== undefined);
    await heartbeat.stop();
    expect(await recorded(core)).toMatchObject({ integrity: 'ok', findings: [] });
    const [last] = await core.image.history({ limit: 1 });
    expect(last?.who).toBe('system:heartbeat');
    const after = await core.image.history({ limit: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await core.image.history({ limit: 1 })).toEqual(after);
  });

  it('does not block a send while it audits', async () => {
    const core = await openPersonaCore();
    await core.uvm.asSystem({ who: 'system:test', platform: 'console' }, (tx) => {
      for (let i = 0; i < 200; i++)
        tx.setSlot(GENESIS, `m${i}`, { kind: 'method', source: METHOD });
    });
    // A slow compile check stretches the audit out over many yields.
    let checked = 0;
    const slowCheck = (source: string) => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      checked++;
      core.checkMethod(source);
    };
    let warned = 0;
    const log: Logger = { ...silentLogger, warn: () => warned++ };
    const heartbeat = startHeartbeat({
      uvm: core.uvm,
      intervalMs: 1,
      log,
      checkMethod: slowCheck,
      audit: { yieldEvery: 1 },
    });
    await until(() => checked > 0);
    expect(await core.ok('genesis setSlot color "blue"')).toBe('blue');
    // The send was answered while the audit still had methods to check: it did not wait.
    expect(checked).toBeLessThan(200);
    await heartbeat.stop();
    expect(warned).toBe(0);
    expect((await recorded(core))?.methods).toBe(200);
  });
});
