/**
 * The remote mind against a real llama-server serving the forged model and adapters: the
 * same expectations as the in-process mind's tests (mind.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISPLAY_YOURSELF_SOURCE, PERSONA_SIGNATURES } from '../../../../tools/forge/index.ts';
import { PERSONA_NAMES } from '../../../../src/personas/names.ts';
import type { ForgedFiles } from '../../../../tools/forge/index.ts';
import type { PersonaName } from '../../../../src/personas/names.ts';
import { RemoteMind } from '../../../../src/core/mind/index.ts';
import { forged } from '../../../support/forged.ts';
import {
  connectRemoteMind,
  llamaServer,
  noLlamaServer,
  remoteConfig,
} from '../../../support/remote-mind.ts';
import { genesisPrompt, rejection } from '../../../support/mind-requests.ts';
import { mindContract } from '../../../support/mind-contract.ts';

if (noLlamaServer) process.stderr.write(`remote-mind.test.ts does not run: ${noLlamaServer}\n`);

let files: ForgedFiles;
let mind: RemoteMind;
beforeAll(async () => {
  if (noLlamaServer) return;
  files = await forged();
  mind = await connectRemoteMind();
});
afterAll(() => mind?.close());

const persona = (name: PersonaName) => ({ path: files.adapters[name], scale: 1 });

describe.runIf(!noLlamaServer)('RemoteMind on llama-server with the forged model', () => {
  it('describes the server, its model and its adapters for the pLLM object', () => {
    expect(mind.source).toEqual({
      kind: 'servers',
      servers: [llamaServer().url],
      model: expect.stringContaining('tiny-model'),
      adapters: ['alfred.gguf', 'babs.gguf', 'brick.gguf', 'robin.gguf'],
    });
    expect(mind.servedAdapters).toEqual(
      new Set(['alfred.gguf', 'babs.gguf', 'brick.gguf', 'robin.gguf']),
    );
  });

  it('writes display_yourself for the real covenant prompt, under the grammar, deterministically', async () => {
    const first = await mind.generateMethod(genesisPrompt());
    expect(first.source).toBe(DISPLAY_YOURSELF_SOURCE);
    expect(first.model).toBe(mind.source.model);
    expect(first.promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.tokens).toBeGreaterThan(10);
    expect(await mind.generateMethod(genesisPrompt())).toEqual(first);
  });

  mindContract(() => mind);

  it('answers eight conversations across the four personas at once, each through its own adapter', async () => {
    const names = [...PERSONA_NAMES, ...PERSONA_NAMES];
    const replies = await Promise.all(
      names.map((name) =>
        mind.chat({ adapter: persona(name), systemPrompt: '', history: [], text: `hi ${name}` }),
      ),
    );
    expect(replies).toEqual(names.map((name) => PERSONA_SIGNATURES[name]));
  });

  it('times out or aborts with a clear code, and the server stays usable', async () => {
    const prompt = genesisPrompt();
    expect((await rejection(mind.generateMethod(prompt, { timeoutMs: 1 }))).code).toBe('timeout');
    const controller = new AbortController();
    const partials: string[] = [];
    const aborted = mind.chat({
      adapter: persona('ROBIN'),
      systemPrompt: '',
      history: [],
      text: 'hi',
      signal: controller.signal,
      onPartial: (soFar) => {
        partials.push(soFar);
        controller.abort();
      },
    });
    expect((await rejection(aborted)).code).toBe('aborted');
    expect(partials).toHaveLength(1);
    expect((await mind.generateMethod(prompt)).source).toBe(DISPLAY_YOURSELF_SOURCE);
  });

  it('reports an unfinished method as incomplete, and refuses work once closed', async () => {
    const { mind: tight } = await RemoteMind.connect(await remoteConfig({ maxMethodTokens: 8 }));
    const error = await rejection(tight.generateMethod(genesisPrompt()));
    expect(error.code).toBe('incomplete');
    expect(error.message).toContain('BATOS_MAX_METHOD_TOKENS');
    await tight.close();
    expect((await rejection(tight.generateMethod(genesisPrompt()))).code).toBe('closed');
  });
});
