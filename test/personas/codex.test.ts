import { describe, expect, it } from 'vitest';
import { PERSONA_CODEX } from '../../src/personas/index.ts';

describe('the persona codex', () => {
  it('holds the four personas in order', () => {
    expect(PERSONA_CODEX.map((p) => p.name)).toEqual(['ROBIN', 'BRICK', 'BABS', 'ALFRED']);
  });

  it.each(PERSONA_CODEX.map((p) => [p.name, p] as const))('describes %s fully', (name, p) => {
    expect(p.adapter).toBe(`${name.toLowerCase()}.gguf`);
    expect(p.scale).toBe(1.0);
    expect(p.role.length).toBeGreaterThan(20);
    expect(p.voice).toContain(`You are ${name}`);
    expect(p.voice.split('. ').length).toBeGreaterThanOrEqual(3);
    expect(p.aliases).toContain(name.toLowerCase());
    for (const alias of p.aliases) expect(alias).toBe(alias.toLowerCase());
  });

  it('gives no two personas the same alias', () => {
    const aliases = PERSONA_CODEX.flatMap((p) => p.aliases);
    expect(new Set(aliases).size).toBe(aliases.length);
  });
});
