import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Bot, type BotOptions } from '../../src/core/bot/bot.ts';
import { Image } from '../../src/core/image/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Reply, Send } from '../../src/core/protocol.ts';
import { replyToPlainText } from './reply-text.ts';
import { QuickJsMethodRunner } from '../../src/core/sandbox/index.ts';
import { Uvm, type UvmOptions } from '../../src/core/uvm/uvm.ts';
import { tempDir } from './temp.ts';

export interface TestCore {
  readonly uvm: Uvm;
  /** The image the UVM serves, for tests to inspect directly. */
  readonly image: Image;
  readonly bot: Bot;
  readonly imagePath: string;
  /** Sends `text` as the console operator (or as `as`), returning the reply. */
  say(text: string, as?: Partial<Send>): Promise<Reply>;
  /** Like `say`, but returns the reply's text and fails the test unless it is ok. */
  ok(text: string, as?: Partial<Send>): Promise<string>;
  close(): Promise<void>;
}

export const operator: Send['sender'] = { id: 'operator', name: 'operator', isAdmin: true };

/** A real core on a real image file in a temporary folder, closed after the test. */
export async function openTestCore(
  options: {
    imagePath?: string;
    uvm?: Partial<Omit<UvmOptions, 'image'>>;
    /** The bot's options, or a function of the UVM making them (a desk that needs it). */
    bot?: Partial<BotOptions> | ((uvm: Uvm) => Partial<BotOptions>);
  } = {},
): Promise<TestCore> {
  const imagePath = options.imagePath ?? join(tempDir(), 'image.db');
  const image = await Image.open(imagePath);
  const uvm = new Uvm({
    image,
    ...options.uvm,
    runner: options.uvm?.runner ?? new QuickJsMethodRunner(),
  });
  await uvm.bootstrap({ who: 'system:test', platform: 'console' });
  const bot = new Bot({
    uvm,
    log: silentLogger,
    backupDir: join(imagePath, '..', 'backups'),
    ...(typeof options.bot === 'function' ? options.bot(uvm) : options.bot),
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await uvm.close();
  };
  afterEach(close);
  const say = (text: string, as: Partial<Send> = {}) =>
    bot.handle({
      platform: 'console',
      sender: operator,
      channel: 'console',
      text,
      mentions: [],
      adminChannel: true,
      ...as,
    });
  return {
    uvm,
    image,
    bot,
    imagePath,
    say,
    async ok(text, as) {
      const reply = await say(text, as);
      if (reply.status !== 'ok')
        throw new Error(`"${text}" → ${reply.status}: ${replyToPlainText(reply)}`);
      return replyToPlainText(reply);
    },
    close,
  };
}
