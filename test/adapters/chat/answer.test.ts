import { describe, expect, it } from 'vitest';
import { answer } from '../../../src/adapters/chat/answer.ts';
import type { ReplyTarget } from '../../../src/adapters/chat/answer.ts';
import { textReply } from '../../../src/core/protocol.ts';
import type { BotService, Send } from '../../../src/core/protocol.ts';
import { memoryLogger } from '../../support/test-bot.ts';

const send: Send = {
  platform: 'slack',
  sender: { id: 'u', name: 'u', isAdmin: false },
  channel: 'c',
  text: 'x',
  mentions: [],
  adminChannel: false,
};

function recordingTarget(withEdit: boolean): { target: ReplyTarget<number>; log: string[] } {
  const log: string[] = [];
  let id = 0;
  const target: ReplyTarget<number> = {
    maxLength: 50,
    streamIntervalMs: 0,
    render: (reply) => reply.parts.map((p) => (p.kind === 'text' ? p.text : p.code)).join('\n'),
    renderPartial: (text) => text,
    async post(text) {
      log.push(`post ${++id}: ${text}`);
      return id;
    },
    ...(withEdit
      ? { edit: async (m: number, text: string) => void log.push(`edit ${m}: ${text}`) }
      : {}),
  };
  return { target, log };
}

describe('answer', () => {
  it('shows the status as a message when there is no typing indicator, then edits in the reply', async () => {
    const bot: BotService = {
      async handle(_send, events) {
        events?.status?.('writing it');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return textReply('ok', 'done');
      },
    };
    const { target, log } = recordingTarget(true);
    await answer(bot, send, target, memoryLogger());
    expect(log).toEqual(['post 1: _writing it_', 'edit 1: done']);
  });

  it('posts the rest of a long streamed reply as new messages', async () => {
    const long = Array.from({ length: 6 }, (_, i) => `line ${i} ${'z'.repeat(20)}`).join('\n');
    const bot: BotService = {
      async handle(_send, events) {
        events?.partial?.('line 0');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return textReply('ok', long);
      },
    };
    const { target, log } = recordingTarget(true);
    await answer(bot, send, target, memoryLogger());
    expect(log[0]).toBe('post 1: line 0');
    expect(log[1]!.startsWith('edit 1: line 0')).toBe(true);
    expect(log.slice(2).every((l) => l.startsWith('post '))).toBe(true);
  });

  it('answers with a short error when the core throws', async () => {
    const bot: BotService = {
      async handle() {
        throw new Error('kaput');
      },
    };
    const { target, log } = recordingTarget(false);
    const logger = memoryLogger();
    await answer(bot, send, target, logger);
    expect(log).toEqual(['post 1: Sorry, something went wrong while answering that.']);
    expect(logger.lines.some((l) => l.includes('kaput'))).toBe(true);
  });
});
