import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mind } from '../../src/core/mind/index.ts';
import type { Send } from '../../src/core/protocol.ts';
import { forgeLargeModel, SMALL_SHAPE } from '../../tools/forge/index.ts';
import { readThread, threadKey } from '../../src/personas/index.ts';
import { operator } from '../support/core.ts';
import { replyToPlainText } from '../support/reply-text.ts';
import { tempDir } from '../support/temp.ts';
import { openPersonaCore, tinyMindConfig } from '../support/personas.ts';

/** A model with random weights talks until the token limit, so a turn is still going on. */
let mind: Mind;
beforeAll(async () => {
  const model = await forgeLargeModel({
    outPath: join(tempDir('batos-endless-'), 'random-small.gguf'),
    shape: SMALL_SHAPE,
  });
  mind = await Mind.load(tinyMindConfig(model.path, { contextSize: 4096, maxReplyTokens: 200 }));
});
afterAll(() => mind?.close());

describe('a cancelled turn', () => {
  it('stops the generation, answers that it was cancelled, and stores nothing', async () => {
    const core = await openPersonaCore({ conversation: { mind } });
    const send: Send = {
      platform: 'console',
      sender: operator,
      channel: 'console',
      text: 'Robin, hello',
      mentions: [],
      adminChannel: true,
    };
    const before = await core.ok('history');
    const cancel = new AbortController();
    let partials = 0;
    const reply = await core.bot.handle(send, {
      partial: () => {
        partials += 1;
        cancel.abort();
      },
      signal: cancel.signal,
    });
    expect(partials).toBeGreaterThan(0);
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toBe(
      'ROBIN could not answer, and nothing was changed: A reply was cancelled.',
    );
    expect(await core.ok('history')).toBe(before);
    expect(await core.uvm.readCommitted((tx) => readThread(tx, threadKey(send)))).toEqual([]);

    // The context is free again: the next turn is answered.
    const next = await core.bot.handle({ ...send, text: 'Robin, again' }, {});
    expect(next.status, replyToPlainText(next)).toBe('ok');
  }, 120_000);
});
