/**
 * The personas when the inference servers fail: down at start, dying mid-reply, answering
 * garbage, missing an adapter. Each is a clear message; the image is unchanged and the bot
 * keeps serving.
 */
import { mkdir, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MindError, RemoteMind } from '../../src/core/mind/index.ts';
import { DISPLAY_YOURSELF_SOURCE, PERSONA_SIGNATURES } from '../../tools/forge/index.ts';
import { PERSONA_CODEX } from '../../src/personas/index.ts';
import { freePort, startLlamaServer } from '../../scripts/llama-server-process.ts';
import { FakeLlamaServer, type FakeBehaviour } from '../support/fake-llama-server.ts';
import { forged } from '../support/forged.ts';
import { replyToPlainText } from '../support/reply-text.ts';
import { llamaServer, noLlamaServer, remoteConfig } from '../support/remote-mind.ts';
import { tempDir } from '../support/temp.ts';
import { loraFolder, openPersonaCore } from '../support/personas.ts';

if (noLlamaServer) process.stderr.write(`remote-failures.test.ts does not run: ${noLlamaServer}\n`);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const expectAdapters = PERSONA_CODEX.map((persona) => persona.adapter);

async function fake(behaviour: FakeBehaviour) {
  const server = await FakeLlamaServer.start({
    behaviour,
    reply: 'half a reply',
    adapters: expectAdapters,
  });
  cleanups.push(() => server.close());
  return server;
}

/** A persona core on the remote mind of `servers`, as the composition root wires it. */
async function coreOn(servers: string[]) {
  const { mind, warnings } = await RemoteMind.connect(await remoteConfig({ servers }), {
    expectAdapters,
  });
  cleanups.push(() => mind.close());
  const core = await openPersonaCore({ loraDir: await loraFolder(), conversation: { mind } });
  return { core, mind, warnings };
}

describe.runIf(!noLlamaServer)('personas when the inference servers fail', () => {
  it('a server down at start: the personas say why they cannot speak; the bot serves', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const error = await RemoteMind.connect(await remoteConfig({ servers: [down] })).then(
      () => undefined,
      (e: unknown) => e as MindError,
    );
    expect(error).toBeInstanceOf(MindError);
    expect(error!.code).toBe('unreachable');
    const core = await openPersonaCore({ conversation: { noModelReason: error!.message } });
    const before = await core.image.history({ limit: 1 });
    const reply = await core.say('Robin, hello?');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toContain(
      `ROBIN cannot speak without a model. No inference server answered (${down}: ECONNREFUSED). Start one with \`npm run llama-server\``,
    );
    expect(await core.image.history({ limit: 1 })).toEqual(before);
    expect(await core.ok('ALFRED, audit persistence')).toContain('good order');
  });

  it.each<[FakeBehaviour, RegExp]>([
    ['die-mid-reply', /failed while answering .*the reply was dropped/u],
    ['garbage', /does not answer like llama-server/u],
  ])(
    'a server that does %s: a clear error, nothing kept, the next turn served',
    async (behaviour, message) => {
      const failing = await fake('answer');
      const { core } = await coreOn([failing.url, llamaServer().url]);
      failing.behaviour = behaviour;
      const before = await core.image.history({ limit: 1 });
      const reply = await core.say('Robin, are you well?');
      expect(reply.status).toBe('error');
      expect(replyToPlainText(reply)).toMatch(
        /^ROBIN could not answer, and nothing was changed: /u,
      );
      expect(replyToPlainText(reply)).toMatch(message);
      expect(await core.image.history({ limit: 1 })).toEqual(before);
      // The failed server is skipped now; the real one answers through ROBIN's adapter.
      expect(replyToPlainText(await core.say('Robin, and now?'))).toBe(PERSONA_SIGNATURES.ROBIN);
    },
  );

  it('a server missing an adapter: warned at start, that persona speaks in voice only', async () => {
    const files = await forged();
    const partialLora = join(tempDir('batos-partial-lora-'), 'lora');
    await mkdir(partialLora);
    for (const name of ['robin', 'babs', 'alfred'])
      await copyFile(
        files.adapters[name.toUpperCase() as 'ROBIN'],
        join(partialLora, `${name}.gguf`),
      );
    const server = await startLlamaServer({
      binary: llamaServer().binary,
      model: files.model,
      loraDir: partialLora,
      threads: 1,
    });
    cleanups.push(() => server.stop());
    const { core, warnings } = await coreOn([server.url]);
    expect(warnings).toEqual([
      'no inference server holds the adapter brick.gguf: its persona speaks in voice only',
    ]);
    expect(await core.say('Brick, what do you think?')).toMatchObject({
      status: 'ok',
      persona: 'BRICK',
      parts: [{ kind: 'text', text: DISPLAY_YOURSELF_SOURCE }],
    });
    expect(replyToPlainText(await core.say('Babs, anything?'))).toBe(PERSONA_SIGNATURES.BABS);
  });
});
