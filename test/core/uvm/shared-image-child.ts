/**
 * One BAT OS process of the shared-image tests: sends `genesis increment` to a PostgreSQL
 * image `count` times from `senders` concurrent senders, printing "ok V" after each reply
 * (V: the value the send saw) and "fail MESSAGE" after each failure (then pausing 0.1 s),
 * then "done". Its backup folder is the test's temp folder, given as the fourth argument.
 */
import { Bot } from '../../../src/core/bot/bot.ts';
import { Image } from '../../../src/core/image/index.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { Uvm } from '../../../src/core/uvm/uvm.ts';

const [url, count, senders, backupDir] = process.argv.slice(2) as [string, string, string, string];
const uvm = new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() });
const bot = new Bot({ uvm, log: silentLogger, backupDir });
const perSender = Number(count) / Number(senders);
process.stdout.write('ready\n');
await Promise.all(
  Array.from({ length: Number(senders) }, async (_, k) => {
    for (let i = 0; i < perSender; i += 1) {
      const reply = await bot.handle({
        platform: 'console',
        sender: { id: `sender${k}`, name: `sender${k}`, isAdmin: false },
        channel: 'console',
        text: 'genesis increment',
        mentions: [],
        adminChannel: false,
      });
      const text = reply.parts.map((p) => (p.kind === 'text' ? p.text : p.code)).join(' ');
      process.stdout.write(reply.status === 'ok' ? `ok ${text}\n` : `fail ${text}\n`);
      // As a person would, wait a moment before the next try after a failure.
      if (reply.status !== 'ok') await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }),
);
await uvm.close();
process.stdout.write('done\n');
