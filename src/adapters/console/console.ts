/**
 * The console front end: a prompt with history on a terminal, or, when stdin is a pipe, one
 * send per line with each reply printed in order, ending after the last line is answered.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { BotService, Send, Sender } from '../../core/protocol.ts';
import type { FrontEnd } from '../chat/front-end.ts';
import { renderReply, renderStatus } from './render.ts';

export interface ConsoleOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Whether to run the interactive prompt (stdin is a terminal). */
  readonly interactive: boolean;
  readonly sender: Sender;
}

export interface ConsoleFrontEnd extends FrontEnd {
  readonly name: 'console';
  /** Resolves when input has ended and every line has been answered. */
  readonly finished: Promise<void>;
}

export function startConsole(bot: BotService, options: ConsoleOptions): ConsoleFrontEnd {
  const { input, output, interactive, sender } = options;
  const color = interactive;
  const rl = createInterface({
    input,
    output: interactive ? output : undefined,
    terminal: interactive,
    historySize: 500,
    prompt: 'batos> ',
  });
  const print = (text: string) => output.write(`${text}\n`);
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const answer = async (line: string) => {
    if (line.trim() === '') return;
    if (interactive && ['quit', 'exit', '.exit'].includes(line.trim())) {
      rl.close();
      return;
    }
    const send: Send = {
      platform: 'console',
      sender,
      channel: 'console',
      text: line,
      mentions: [],
      adminChannel: sender.isAdmin,
    };
    const reply = await bot.handle(send, { status: (text) => print(renderStatus(text, color)) });
    print(renderReply(reply, color));
  };

  // Ctrl+C at the prompt quits like `quit` (the line in flight is still answered).
  rl.on('SIGINT', () => rl.close());
  const finished = new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      chain = chain
        .then(() => answer(line))
        .then(() => {
          if (interactive && !closed) rl.prompt();
        });
    });
    rl.on('close', () => {
      closed = true;
      void chain.then(resolve);
    });
  });

  if (interactive) {
    print('BAT OS console — `help` lists what you can say, `quit` leaves.');
    rl.prompt();
  }
  return {
    name: 'console',
    finished,
    async announce(_target, reply) {
      print(renderReply(reply, color));
    },
    /** Stops reading; the line in flight is still answered. */
    async stop() {
      rl.close();
      await finished;
    },
  };
}
