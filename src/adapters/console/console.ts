/**
 * The console front end: a prompt with history on a terminal, or, when stdin is a pipe, one
 * send per line with each reply printed in order, ending after the last line is answered.
 *
 * On a terminal, a persona's reply streams as it is generated, and Ctrl+C cancels the
 * generation in flight (the turn then changes nothing); Ctrl+C with nothing to cancel, or a
 * second one, quits. Replies, status lines and log lines print above the prompt, never on it
 * (see `screen.ts`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { PRIVATE_FILE_MODE } from '../../core/private-files.ts';
import type { BotService, Send, Sender } from '../../core/protocol.ts';
import type { FrontEnd } from '../chat/front-end.ts';
import { renderDraft, renderReply, renderStatus } from './render.ts';
import { Screen } from './screen.ts';

export interface ConsoleOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Whether to run the interactive prompt (stdin is a terminal). */
  readonly interactive: boolean;
  readonly sender: Sender;
  /** Where the prompt's history is kept between sessions (interactive only). */
  readonly historyFile?: string;
  /**
   * The stream the log writes to (stderr). On a terminal the console prints its lines above
   * the prompt while it runs.
   */
  readonly logStream?: Writable;
}

export interface ConsoleFrontEnd extends FrontEnd {
  readonly name: 'console';
  /** Resolves when input has ended and every line has been answered. */
  readonly finished: Promise<void>;
}

const HISTORY_SIZE = 500;

function readHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

export function startConsole(bot: BotService, options: ConsoleOptions): ConsoleFrontEnd {
  const { input, output, interactive, sender } = options;
  const color = interactive;
  const rl = createInterface({
    input,
    output: interactive ? output : undefined,
    terminal: interactive,
    history: interactive ? readHistory(options.historyFile) : [],
    historySize: HISTORY_SIZE,
    prompt: 'batos> ',
  });
  if (interactive && options.historyFile !== undefined) {
    const file = options.historyFile;
    // readline keeps the newest line first; the file keeps them oldest first, one per line.
    rl.on('history', (lines: string[]) => {
      try {
        // 0600 when new: what the operator typed is as private as the image.
        writeFileSync(file, [...lines].reverse().join('\n') + '\n', { mode: PRIVATE_FILE_MODE });
      } catch {
        // Losing the prompt history is not worth interrupting the operator for.
      }
    });
  }
  const screen = interactive ? new Screen(output, rl, renderDraft) : undefined;
  if (screen && (options.logStream as { isTTY?: boolean } | undefined)?.isTTY === true)
    screen.guard(options.logStream!);
  const print = (text: string) => (screen ? screen.print(text) : output.write(`${text}\n`));
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  /** The send being answered, and whether Ctrl+C has cancelled it. */
  let inFlight: AbortController | undefined;

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
    const cancel = new AbortController();
    inFlight = cancel;
    try {
      const reply = await bot.handle(send, {
        status: (text) => print(renderStatus(text, color)),
        ...(screen ? { partial: (soFar: string) => screen.draft(soFar) } : {}),
        signal: cancel.signal,
      });
      screen?.endDraft();
      print(renderReply(reply, color));
    } finally {
      inFlight = undefined;
    }
  };

  // Ctrl+C cancels the generation in flight; with nothing to cancel, or again, it quits
  // like `quit` (a send in flight is still answered).
  rl.on('SIGINT', () => {
    if (inFlight === undefined || inFlight.signal.aborted) {
      rl.close();
      return;
    }
    inFlight.abort();
    print(renderStatus('cancelling… (Ctrl+C again quits)', color));
  });
  const finished = new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      screen?.lineEntered();
      chain = chain
        .then(() => answer(line))
        .then(() => {
          if (screen && !closed) screen.prompt();
        });
    });
    rl.on('close', () => {
      closed = true;
      screen?.close();
      void chain.then(resolve);
    });
  });

  if (interactive) {
    print('BAT OS console — say hi, or `help` for what you can say; `quit` leaves.');
    screen?.prompt();
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
