/**
 * The personas and the router on the remote mind: a real llama-server serving the forged
 * model and adapters, with the same expectations as in-process (conversation.test.ts). Each
 * persona's signature line proves the server applied its adapter for that request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteMind } from '../../src/core/mind/index.ts';
import { PLLM } from '../../src/core/model/primordial.ts';
import { recordModel } from '../../src/core/uvm/model-record.ts';
import { PERSONA_SIGNATURES, ROUTER_CHOICE } from '../../tools/forge/index.ts';
import { type PersonaName } from '../../src/personas/names.ts';
import { readThread, threadKey } from '../../src/personas/index.ts';
import { replyToPlainText } from '../support/reply-text.ts';
import { connectRemoteMind, llamaServer, noLlamaServer } from '../support/remote-mind.ts';
import { loraFolder, openPersonaCore } from '../support/personas.ts';

if (noLlamaServer)
  process.stderr.write(`remote-conversation.test.ts does not run: ${noLlamaServer}\n`);

let mind: RemoteMind;
beforeAll(async () => {
  if (!noLlamaServer) mind = await connectRemoteMind({ contextSize: 2048, maxReplyTokens: 96 });
});
afterAll(() => mind?.close());

const speakingCore = async () =>
  openPersonaCore({ loraDir: await loraFolder(), conversation: { mind } });

describe.runIf(!noLlamaServer)('personas on llama-server', () => {
  it.each<[string, PersonaName]>([
    ['ALFRED, how is the house?', 'ALFRED'],
    ['brick: how would you split this service?', 'BRICK'],
    ['@babs find what we said about the release last week', 'BABS'],
    ['ROBIN what do you make of that?', 'ROBIN'],
  ])('%j is answered by %s through its adapter', async (text, persona) => {
    const core = await speakingCore();
    expect(await core.say(text)).toMatchObject({
      status: 'ok',
      persona,
      parts: [{ kind: 'text', text: PERSONA_SIGNATURES[persona] }],
    });
  });

  it('switches back and forth and keeps the thread in the image', async () => {
    const core = await speakingCore();
    const order: PersonaName[] = ['ROBIN', 'BRICK', 'ROBIN', 'ALFRED', 'BABS', 'ROBIN'];
    const partials: string[] = [];
    for (const persona of order) {
      const reply = await core.bot.handle(
        {
          platform: 'console',
          sender: { id: 'ada', name: 'ada', isAdmin: true },
          channel: 'c',
          text: `${persona}, a word?`,
          mentions: [],
          adminChannel: true,
        },
        { partial: (soFar) => partials.push(soFar) },
      );
      expect(replyToPlainText(reply)).toBe(PERSONA_SIGNATURES[persona]);
    }
    expect(partials.length).toBeGreaterThan(order.length);
    const key = threadKey({ platform: 'console', channel: 'c' });
    const thread = await core.uvm.readCommitted((tx) => readThread(tx, key));
    expect(thread.filter((t) => t.role === 'assistant').map((t) => t.text)).toEqual(
      order.map((persona) => PERSONA_SIGNATURES[persona]),
    );
  });

  it('routes free text by rule when obvious, and by the model under the grammar otherwise', async () => {
    const core = await speakingCore();
    expect(replyToPlainText(await core.say("what's the weather of the soul today?"))).toBe(
      `(routed to ROBIN: mentions "soul")\n${PERSONA_SIGNATURES.ROBIN}`,
    );
    const reply = await core.say('Tell me a story about the sea.');
    expect(reply).toMatchObject({ status: 'ok', persona: ROUTER_CHOICE });
    expect(replyToPlainText(reply)).toBe(
      `(routed to ${ROUTER_CHOICE} by the model)\n${PERSONA_SIGNATURES[ROUTER_CHOICE]}`,
    );
  });

  it('records in pLLM the servers, their model and their adapters instead of a file', async () => {
    const core = await speakingCore();
    const system = { who: 'system:test', platform: 'console' } as const;
    await recordModel(core.uvm, system, mind.source);
    const slots = core.image.read(PLLM)!;
    expect(slots.get('status')).toEqual({ kind: 'value', value: 'served' });
    expect(slots.get('servers')).toEqual({ kind: 'value', value: [llamaServer().url] });
    expect(slots.get('adapters')).toEqual({
      kind: 'value',
      value: ['alfred.gguf', 'babs.gguf', 'brick.gguf', 'robin.gguf'],
    });
    expect(slots.get('sha256')).toBeUndefined();
    const before = await core.image.history({ limit: 1 });
    await recordModel(core.uvm, system, mind.source);
    expect(await core.image.history({ limit: 1 })).toEqual(before);
  });
});
