/**
 * What every mind must do with the forged model, in-process or on llama-server: the same
 * tests run against both (mind.test.ts, remote/remote-mind.test.ts).
 */
import { expect, it } from 'vitest';
import type { MindService } from '../../src/core/mind/index.ts';
import {
  DISPLAY_YOURSELF_SOURCE,
  PERSONA_SIGNATURES,
  ROUTER_CHOICE,
} from '../../tools/forge/index.ts';
import { PERSONA_NAMES, type PersonaName } from '../../src/personas/names.ts';
import { forged } from './forged.ts';
import { genesisPrompt, rejection } from './mind-requests.ts';

/** Declares the shared tests; `mind` is called once the file's setup has made it. */
export function mindContract(mind: () => MindService): void {
  const persona = async (name: PersonaName) => ({
    path: (await forged()).adapters[name],
    scale: 1,
  });

  it('answers with each persona signature through its adapter, switching back and forth', async () => {
    const order: PersonaName[] = [...PERSONA_NAMES, 'ROBIN', 'ALFRED', 'ROBIN'];
    for (const name of order) {
      const reply = await mind().chat({
        adapter: await persona(name),
        systemPrompt: `You are ${name}.`,
        history: [
          { role: 'user', text: 'hello' },
          { role: 'assistant', text: 'hi' },
        ],
        text: 'how are you?',
      });
      expect(reply).toBe(PERSONA_SIGNATURES[name]);
    }
    // A request without an adapter gets none, whatever the one before had.
    expect(await mind().chat({ systemPrompt: '', history: [], text: 'and you?' })).toBe(
      DISPLAY_YOURSELF_SOURCE,
    );
    expect((await mind().generateMethod(genesisPrompt())).source).toBe(DISPLAY_YOURSELF_SOURCE);
  });

  it('streams partial replies', async () => {
    const partials: string[] = [];
    const reply = await mind().chat({
      adapter: await persona('BABS'),
      systemPrompt: '',
      history: [],
      text: 'report',
      onPartial: (soFar) => partials.push(soFar),
    });
    expect(reply).toBe(PERSONA_SIGNATURES.BABS);
    expect(partials.length).toBeGreaterThan(1);
    expect(partials.at(-1)!.trim()).toBe(reply);
    expect(partials.every((p, i) => i === 0 || p.startsWith(partials[i - 1]!))).toBe(true);
  });

  it('chooses under a grammar: the forged model picks the documented persona', async () => {
    expect(await mind().choose(PERSONA_NAMES, 'Who should answer "hello"?')).toBe(ROUTER_CHOICE);
    expect(
      await mind().choose(['ROBIN', 'ALFRED'], { system: 'Pick one.', user: 'hello' }),
    ).toMatch(/^(ROBIN|ALFRED)$/);
    expect(['yes', 'no']).toContain(await mind().choose(['yes', 'no'], 'ok?'));
    expect((await rejection(mind().choose([], 'x'))).code).toBe('config');
  });
}
