import { describe, expect, it } from 'vitest';
import { PERSONA_CODEX, readPersonas } from '../../src/personas/index.ts';
import { loraFolder, openPersonaCore } from '../support/personas.ts';

describe('the persona objects', () => {
  it('are installed from the codex, children of the persona prototype', async () => {
    const core = await openPersonaCore();
    const personas = await core.uvm.readCommitted((tx) => readPersonas(tx));
    expect(personas.map((p) => p.name)).toEqual(['ROBIN', 'BRICK', 'BABS', 'ALFRED']);
    for (const [i, spec] of PERSONA_CODEX.entries())
      expect(personas[i]).toMatchObject({
        name: spec.name,
        aliases: spec.aliases,
        role: spec.role,
        voice: spec.voice,
        adapter: spec.adapter,
        scale: spec.scale,
      });
    expect(await core.ok('robin parents')).toMatch(/persona/);
    expect(await core.ok('persona parents')).toMatch(/traits/);
    expect(await core.ok('alfred slotNames')).toContain('auditPersistence');
    expect(await core.ok('robin slotNames')).not.toContain('auditPersistence');
  });

  it('persist across a restart, and edits from chat are kept, not overwritten', async () => {
    const first = await openPersonaCore();
    await first.ok('alfred setSlot voice "You are ALFRED, terse."');
    await first.ok('babs setSlot aliases ["babs", "oracle"]');
    await first.close();
    const second = await openPersonaCore({ imagePath: first.imagePath });
    const personas = await second.uvm.readCommitted((tx) => readPersonas(tx));
    expect(personas.map((p) => p.name)).toEqual(['ROBIN', 'BRICK', 'BABS', 'ALFRED']);
    expect(personas.find((p) => p.name === 'ALFRED')?.voice).toBe('You are ALFRED, terse.');
    expect(personas.find((p) => p.name === 'BABS')?.aliases).toEqual(['babs', 'oracle']);
    // Bootstrap and installation on the first start; the second start created nothing.
    const history = await second.image.history({ limit: 100 });
    expect(history.filter((h) => h.who === 'system:test')).toHaveLength(2);
  });

  it('are edited by a send addressed to them in any form', async () => {
    const core = await openPersonaCore();
    expect(await core.ok('ALFRED, setSlot scale 0.5')).toBe('0.5');
    expect(await core.ok('@alfred getSlot scale')).toBe('0.5');
    expect(await core.ok('alfred slotNames')).toContain('voice');
  });

  it('describe themselves, saying when the adapter file is missing', async () => {
    const withAdapters = await openPersonaCore({ loraDir: await loraFolder() });
    expect(await withAdapters.ok('robin describe')).toMatch(
      /ROBIN: Warmth.*Speaks through .*robin\.gguf at scale 1\./su,
    );
    const without = await openPersonaCore();
    expect(await without.ok('Robin, describe yourself')).toMatch(
      /Speaks in voice only: .*lora\/robin\.gguf not found\./u,
    );
    expect(await without.ok('brick setSlot adapter "../../etc/passwd"')).toBeTruthy();
    expect(await without.ok('brick describe')).toMatch(/Cannot speak: .* is not a file name/u);
  });
});
