/**
 * The scripted forged model (`npm run forge -- --script FILE`), on real llama.cpp: for each
 * selector it writes the script's answers in turn, told apart by the failed attempts its
 * prompt shows; anything else gets the base answer; and a script that cannot be forged is
 * refused, saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mind } from '../../src/core/mind/index.ts';
import { buildMethodPrompt, type MethodRequest } from '../../src/core/mind/prompts/covenant.ts';
import { DISPLAY_YOURSELF_SOURCE, PERSONA_SIGNATURES } from '../../tools/forge/index.ts';
import { parseForgeScript, type ForgeScript } from '../../tools/forge/script.ts';
import { scriptedForged, tinyConfig } from '../support/forged.ts';

const SCRIPT: ForgeScript = {
  methods: {
    double: [
      "function (self, n) { throw new Error('not yet ' + n) }",
      'function (self, n) { return n * 2 }',
    ],
    triple: ['function (self, n) { return n * 3 }\n// example: [2] => 6'],
    half: [
      'function (self, n) { return n >> 1 }',
      'function (self, n) { return n / 2 }',
      'function (self, n) { return 0 }',
    ],
  },
};

let mind: Mind;
beforeAll(async () => {
  const files = await scriptedForged(SCRIPT);
  mind = await Mind.load(tinyConfig(files.model, { modelsDir: files.outDir }));
});
afterAll(() => mind?.close());

/** What the model writes for `selector` when the prompt shows `failed` failed methods. */
async function written(selector: string, failed: number, more: Partial<MethodRequest> = {}) {
  const request: MethodRequest = {
    oid: 7,
    name: 'box',
    slotNames: ['parent*', 'items'],
    parents: [{ oid: 3, name: 'genesis' }],
    selector,
    args: [21],
    ...(failed > 0
      ? {
          failedAttempts: Array.from({ length: failed }, (_, i) => ({
            source: `function (self) { return ${i} }`,
            error: `Error: wrong ${i}`,
          })),
        }
      : {}),
    ...more,
  };
  return (await mind.generateMethod(buildMethodPrompt(request))).source;
}

describe('a scripted forged model', () => {
  it('writes each selector’s answers in turn, the last for every later attempt', async () => {
    const double = SCRIPT.methods.double!;
    const half = SCRIPT.methods.half!;
    expect(await written('double', 0)).toBe(double[0]);
    expect(await written('double', 1)).toBe(double[1]);
    expect(await written('double', 4)).toBe(double[1]);
    expect(await written('half', 0)).toBe(half[0]);
    expect(await written('half', 1)).toBe(half[1]);
    expect(await written('half', 2)).toBe(half[2]);
    expect(await written('half', 3)).toBe(half[2]);
  });

  it('writes a one-answer selector’s answer, example lines and all, on every attempt', async () => {
    for (const failed of [0, 1, 2])
      expect(await written('triple', failed)).toBe(SCRIPT.methods.triple![0]);
  });

  it('answers a selector the script does not name, and a chat, as the base model', async () => {
    expect(await written('quadruple', 0)).toBe(DISPLAY_YOURSELF_SOURCE);
    expect(await written('quadruple', 2)).toBe(DISPLAY_YOURSELF_SOURCE);
    // Other objects' names and slots in the prompt do not count as the selector asked for.
    expect(await written('quadruple', 0, { name: 'double', slotNames: ['half'] })).toBe(
      DISPLAY_YOURSELF_SOURCE,
    );
  });

  it('keeps the personas’ adapters working', async () => {
    const files = await scriptedForged(SCRIPT);
    const reply = await mind.chat({
      systemPrompt: 'Be brief.',
      history: [],
      text: 'Hello there.',
      adapter: { path: files.adapters.ROBIN, scale: 1 },
    });
    expect(reply).toBe(PERSONA_SIGNATURES.ROBIN);
  });

  it.each([
    [{}, 'expected {"methods"'],
    [{ methods: {} }, 'names no selector'],
    [{ methods: { 'two words': ['function (self) {}'] } }, '"two words" is not a selector'],
    [{ methods: { a: [] } }, '"a" needs a list of 1 to 10 sources'],
    [{ methods: { a: ['return 1'] } }, '"a" answer 1 must be a source starting "function ("'],
    [
      { methods: { a: ['function (self) {}'], b: ['function (self) {}'] } },
      '"b" answer 1 is the same source as "a" answer 1',
    ],
  ])('refuses the script %j, saying why', (value, why) => {
    expect(() => parseForgeScript(value, 'script.json')).toThrow(why);
  });
});
