/** A small, honest BotService for front-end tests: records sends, answers deterministically. */
import { textReply } from '../../src/core/protocol.ts';
import type { BotService, Reply, ReplyEvents, Send } from '../../src/core/protocol.ts';
import type { Logger } from '../../src/adapters/chat/front-end.ts';

/** Text the `long` command answers with: prose and a long code block, well over 4,000 chars. */
export const LONG_TEXT = [
  'Here is a long answer.',
  ...Array.from(
    { length: 40 },
    (_, i) => `Paragraph ${i}: ` + 'lorem ipsum dolor sit amet '.repeat(6),
  ),
].join('\n');
export const LONG_CODE = Array.from(
  { length: 120 },
  (_, i) => `const line${i} = ${i}; // ${'x'.repeat(40)}`,
).join('\n');

/** The words the `stream` command streams, one partial per word. */
export const STREAM_WORDS = ['Hello', 'there,', 'I', 'am', 'ROBIN', 'and', 'I', 'stream.'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Echoes `text` back as `echo: <text>`, except:
 * a message merely overheard (`reach`) → silence, as the core's default reply policy;
 * `long` → {@link LONG_TEXT} plus a code part of {@link LONG_CODE};
 * `stream` or `ROBIN, …` → a status, then one partial every `streamStepMs` ({@link STREAM_WORDS}).
 */
export class TestBot implements BotService {
  /** The sends it answered. */
  readonly sends: Send[] = [];
  /** The sends it left alone, as overheard. */
  readonly overheard: Send[] = [];
  streamStepMs = 200;

  async handle(send: Send, events: ReplyEvents = {}): Promise<Reply> {
    // The core's default reply policy: what reached the bot only by being said near it is left alone.
    if (send.reach === 'overheard') {
      this.overheard.push(send);
      return { status: 'ok', parts: [], silent: true };
    }
    this.sends.push(send);
    if (send.text === 'long') {
      return {
        status: 'ok',
        parts: [
          { kind: 'text', text: LONG_TEXT },
          { kind: 'code', code: LONG_CODE, language: 'js' },
        ],
      };
    }
    if (send.text === 'stream' || send.text.startsWith('ROBIN, ')) {
      events.status?.('ROBIN is thinking…');
      let soFar = '';
      for (const word of STREAM_WORDS) {
        await sleep(this.streamStepMs);
        soFar = soFar === '' ? word : `${soFar} ${word}`;
        events.partial?.(soFar);
      }
      return textReply('ok', soFar, { persona: 'ROBIN' });
    }
    return textReply('ok', `echo: ${send.text}`);
  }
}

/** Whether every ``` fence in `text` is closed. */
export function fencesBalanced(text: string): boolean {
  return text.split('\n').filter((line) => line.trimStart().startsWith('```')).length % 2 === 0;
}

/** A logger that keeps what it is told, for assertions (and stays quiet). */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, detail?: Record<string, unknown>): void => {
      lines.push(`${level} ${message}${detail === undefined ? '' : ' ' + JSON.stringify(detail)}`);
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
