/**
 * Method writing on the remote mind: doesNotUnderstand_ asks a real llama-server (forged
 * model) for the method under the method grammar, as it asks the in-process mind
 * (does-not-understand.test.ts); a server that dies mid-way changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteMind } from '../../../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { DISPLAY_YOURSELF_SOURCE } from '../../../tools/forge/index.ts';
import { openTestCore } from '../../support/core.ts';
import { FakeLlamaServer } from '../../support/fake-llama-server.ts';
import { connectRemoteMind, noLlamaServer, remoteConfig } from '../../support/remote-mind.ts';

if (noLlamaServer)
  process.stderr.write(`remote-does-not-understand.test.ts does not run: ${noLlamaServer}\n`);

let mind: RemoteMind;
const checker = new QuickJsMethodRunner();
beforeAll(async () => {
  if (!noLlamaServer) mind = await connectRemoteMind();
});
afterAll(async () => {
  await mind?.close();
  await checker.close();
});

describe.runIf(!noLlamaServer)('doesNotUnderstand_ with the remote mind', () => {
  it('writes display_yourself on the server, installs it with provenance, and runs it', async () => {
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(mind, checker) } });
    expect(await core.ok('display_yourself')).toBe(
      'Object #3 "genesis": slots parent*, display_yourself',
    );
    expect(await core.ok('genesis methodSource display_yourself')).toBe(DISPLAY_YOURSELF_SOURCE);
    expect(core.image.read(3)!.get('display_yourself')).toMatchObject({
      kind: 'method',
      provenance: { author: 'model', model: mind.source.model },
    });
  });

  it('a server that dies while writing changes nothing, and the bot keeps serving', async () => {
    const dying = await FakeLlamaServer.start({
      behaviour: 'die-mid-reply',
      reply: 'function (self) { return 1; }',
    });
    try {
      const { mind: broken } = await RemoteMind.connect(
        await remoteConfig({ servers: [dying.url] }),
      );
      const core = await openTestCore({ uvm: { writer: new MindMethodWriter(broken, checker) } });
      const before = await core.image.history({ limit: 1 });
      const reply = await core.say('genesis display_yourself');
      expect(reply.status).toBe('error');
      expect(JSON.stringify(reply.parts)).toMatch(
        /Could not write display_yourself: The inference server .* failed while answering.*Nothing was changed/u,
      );
      expect(await core.image.history({ limit: 1 })).toEqual(before);
      expect(core.image.read(3)!.get('display_yourself')).toBeUndefined();
      expect(await core.ok('genesis setSlot color "blue"')).toBe('blue');
    } finally {
      await dying.close();
    }
  });
});
