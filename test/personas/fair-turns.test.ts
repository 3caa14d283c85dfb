/**
 * Persona turns are shared fairly between people: with one turn generated at a time, a person
 * who asks while another has several turns waiting is served next, not after all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mind } from '../../src/core/mind/index.ts';
import type { Send } from '../../src/core/protocol.ts';
import { loadTinyMind, loraFolder, openPersonaCore } from '../support/personas.ts';

let mind: Mind;
beforeAll(async () => {
  mind = await loadTinyMind();
});
afterAll(() => mind?.close());

const person = (id: string, channel: string): Partial<Send> => ({
  platform: 'slack',
  sender: { id, name: id, isAdmin: false },
  channel,
  adminChannel: false,
});

describe('persona turns', () => {
  it('serve people round robin: one turn each while others wait', async () => {
    const core = await openPersonaCore({
      loraDir: await loraFolder(),
      conversation: {
        mind: { chat: mind.chat.bind(mind), choose: mind.choose.bind(mind) },
        turnsAtOnce: 1,
      },
    });
    const finished: string[] = [];
    const turn = (who: string, channel: string) =>
      core.say('robin, hello', person(who, channel)).then((reply) => {
        expect(reply.status).toBe('ok');
        finished.push(`${who}:${channel}`);
      });
    // mallory asks four times at once; alice asks once, after all of hers are queued.
    const hers = ['a', 'b', 'c', 'd'].map((channel) => turn('mallory', channel));
    await new Promise((resolve) => setImmediate(resolve));
    const alices = turn('alice', 'x');
    await Promise.all([...hers, alices]);
    expect(finished).toHaveLength(5);
    // alice is served within mallory's first two turns, not after all four.
    expect(finished.indexOf('alice:x')).toBeLessThanOrEqual(2);
  });
});
