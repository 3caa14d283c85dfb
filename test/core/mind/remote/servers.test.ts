/**
 * The remote mind over several servers, against tiny local fakes of llama-server that
 * answer, die mid-reply, answer garbage or never answer: requests spread, failed servers
 * are skipped and tried again after a backoff, and every failure is a clear MindError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteMind, type MindConfig } from '../../../../src/core/mind/index.ts';
import { freePort } from '../../../../scripts/llama-server-process.ts';
import { FakeLlamaServer, type FakeBehaviour } from '../../../support/fake-llama-server.ts';
import { tinyConfig } from '../../../support/forged.ts';
import { rejection } from '../../../support/mind-requests.ts';

const ADAPTERS = ['alfred.gguf', 'babs.gguf', 'brick.gguf', 'robin.gguf'];
const fakes: FakeLlamaServer[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function fake(
  behaviour: FakeBehaviour = 'answer',
  options: {
    reply?: string;
    adapters?: string[];
    port?: number;
    requestsPerConnection?: number;
  } = {},
) {
  const server = await FakeLlamaServer.start({ behaviour, adapters: ADAPTERS, ...options });
  fakes.push(server);
  return server;
}

const config = (servers: string[], overrides: Partial<MindConfig> = {}): MindConfig =>
  tinyConfig('unused.gguf', { servers, serverTimeoutMs: 2_000, ...overrides });

/** A clock the test moves by hand, for the backoff. */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const hello = { systemPrompt: 'You are ROBIN.', history: [], text: 'hello' };

describe('RemoteMind over several servers', () => {
  it('spreads requests over the servers and sends every adapter scale explicitly', async () => {
    const [a, b] = [
      await fake('answer', { reply: 'from a' }),
      await fake('answer', { reply: 'from b' }),
    ];
    const { mind, warnings } = await RemoteMind.connect(config([a.url, b.url]), {
      expectAdapters: ADAPTERS,
    });
    expect(warnings).toEqual([]);
    const replies = [];
    for (let i = 0; i < 4; i++)
      replies.push(
        await mind.chat({ ...hello, adapter: { path: 'lora/brick.gguf', scale: 0.75 } }),
      );
    expect(replies.sort()).toEqual(['from a', 'from a', 'from b', 'from b']);
    expect(await mind.chat(hello)).toMatch(/^from [ab]$/u);
    const all = [...a.chatRequests, ...b.chatRequests];
    const withBrick = all[0]!;
    expect(withBrick.lora).toEqual([
      { id: 0, scale: 0 },
      { id: 1, scale: 0 },
      { id: 2, scale: 0.75 },
      { id: 3, scale: 0 },
    ]);
    // Without an adapter, every scale is still given: 0.
    expect(all.map((request) => request.lora)).toContainEqual(
      ADAPTERS.map((_, id) => ({ id, scale: 0 })),
    );
    expect(withBrick).toMatchObject({ stream: true, temperature: 0 });
    expect(withBrick.messages).toEqual([
      { role: 'system', content: 'You are ROBIN.' },
      { role: 'user', content: 'hello' },
    ]);
  });

  it('goes past every kept-alive connection the server closed, however many at once', async () => {
    // Each connection serves one request; the next sent on it finds it closed. Eight at once
    // leave eight such connections in the pool, and the next eight requests meet them all.
    const server = await fake('answer', { reply: 'still here', requestsPerConnection: 1 });
    const { mind } = await RemoteMind.connect(config([server.url]));
    const eight = () => Promise.all(Array.from({ length: 8 }, () => mind.chat(hello)));
    for (let round = 0; round < 3; round += 1)
      expect(await eight()).toEqual(Array.from({ length: 8 }, () => 'still here'));
    expect(server.chatRequests).toHaveLength(24);
  });

  it('starts without a server that is down, and uses it once it is back after the backoff', async () => {
    const port = await freePort();
    const up = await fake('answer', { reply: 'from up' });
    const clock = manualClock();
    const { mind, warnings } = await RemoteMind.connect(
      config([`http://127.0.0.1:${port}`, up.url]),
      { now: clock.now },
    );
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`, 'u')),
    ]);
    expect(await mind.chat(hello)).toBe('from up');
    expect(await mind.chat(hello)).toBe('from up');
    const back = await fake('answer', { reply: 'from back', port });
    clock.advance(1_000);
    const replies = [await mind.chat(hello), await mind.chat(hello)];
    expect(replies.sort()).toEqual(['from back', 'from up']);
    expect(back.chatRequests).toHaveLength(1);
  });

  it('refuses to start when no server answers, naming each one and the remedy', async () => {
    const port = await freePort();
    const garbage = await fake('garbage');
    const error = await rejection(
      RemoteMind.connect(config([`http://127.0.0.1:${port}`, garbage.url])),
    );
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}: ECONNREFUSED`);
    expect(error.message).toContain(`${garbage.url} does not answer like llama-server`);
    expect(error.message).toContain('npm run llama-server');
  });

  it('fails a reply cut off mid-way clearly, and skips that server until its backoff is over', async () => {
    const dying = await fake('die-mid-reply', { reply: 'never finished' });
    const clock = manualClock();
    const { mind } = await RemoteMind.connect(config([dying.url]), { now: clock.now });
    const partials: string[] = [];
    const error = await rejection(
      mind.chat({ ...hello, onPartial: (soFar) => partials.push(soFar) }),
    );
    expect(error.code).toBe('interrupted');
    expect(error.message).toContain(`${dying.url} failed while answering`);
    expect(partials).toEqual(['never ']);
    const skipped = await rejection(mind.chat(hello));
    expect(skipped.code).toBe('unreachable');
    expect(skipped.message).toMatch(/not tried again for 1 s/u);
    expect(dying.chatRequests).toHaveLength(1);
    dying.behaviour = 'answer';
    clock.advance(1_000);
    expect(await mind.chat(hello)).toBe('never finished');
  });

  it('moves to the next server when one is too slow to start answering', async () => {
    const slow = await fake('answer', { reply: 'from the slow one' });
    const answering = await fake('answer', { reply: 'from the other' });
    const { mind } = await RemoteMind.connect(
      config([answering.url, slow.url], { serverTimeoutMs: 1_500 }),
    );
    slow.behaviour = 'silent';
    expect([await mind.chat(hello), await mind.chat(hello)]).toEqual([
      'from the other',
      'from the other',
    ]);
    expect(answering.chatRequests).toHaveLength(2);
  });

  it('lets a reply stream for longer than a server may take to start answering', async () => {
    const slowModel = await fake('trickle', { reply: 'one two three four five' });
    const { mind } = await RemoteMind.connect(config([slowModel.url], { serverTimeoutMs: 1_000 }));
    expect(await mind.chat(hello)).toBe('one two three four five');
  });

  it('calls a server that answers garbage what it is', async () => {
    const server = await fake('answer');
    const { mind } = await RemoteMind.connect(config([server.url]));
    server.behaviour = 'garbage';
    const error = await rejection(mind.chat(hello));
    expect(error.code).toBe('bad-response');
    expect(error.message).toContain('check that BATOS_MIND_URL names a llama-server');
  });

  it('warns at start about an adapter no server holds, and never asks a server for one it lacks', async () => {
    const server = await fake('answer', { adapters: ['robin.gguf'] });
    const { mind, warnings } = await RemoteMind.connect(config([server.url]), {
      expectAdapters: ['robin.gguf', 'brick.gguf'],
    });
    expect(warnings).toEqual([
      'no inference server holds the adapter brick.gguf: its persona speaks in voice only',
    ]);
    expect(mind.servedAdapters).toEqual(new Set(['robin.gguf']));
    const error = await rejection(
      mind.chat({ ...hello, adapter: { path: 'lora/brick.gguf', scale: 1 } }),
    );
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain('holds no adapter brick.gguf');
    expect(server.chatRequests).toHaveLength(0);
  });
});
