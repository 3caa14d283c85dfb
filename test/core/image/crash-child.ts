/**
 * The crash test's victim: applies numbered sends to an image forever, printing "ok N" after
 * each reply. Each send writes three slots on two objects through a method, so a
 * half-applied send would show as slots that disagree. Beside it, concurrent senders from
 * every front end write their own counters (`genesis setSlot cK N`, printing "okK N"), so
 * commits are made durable in groups while it is killed.
 */
import { dirname, join } from 'node:path';
import { Bot } from '../../../src/core/bot/bot.ts';
import { Image } from '../../../src/core/image/index.ts';
import { silentLogger } from '../../../src/core/log.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { Uvm } from '../../../src/core/uvm/uvm.ts';

const [imagePath] = process.argv.slice(2) as [string];
const uvm = new Uvm({ image: await Image.open(imagePath), runner: new QuickJsMethodRunner() });
await uvm.bootstrap({ who: 'system:test', platform: 'console' });
// Beside the test's image, in its temp folder: never a system folder.
const bot = new Bot({ uvm, log: silentLogger, backupDir: join(dirname(imagePath), 'backups') });
const say = async (text: string, platform: Send['platform'] = 'console') => {
  const send: Send = {
    platform,
    sender: { id: 'crash', name: 'crash', isAdmin: true },
    channel: 'console',
    text,
    mentions: [],
    adminChannel: true,
  };
  const reply = await bot.handle(send);
  if (reply.status !== 'ok') throw new Error(`${text}: ${JSON.stringify(reply)}`);
  return reply;
};

const text = (reply: { parts: readonly { kind: string; text?: string }[] }) => reply.parts[0]?.text;
if (text(await say('genesis respondsTo step')) === 'false') {
  await say('genesis clone');
  await say('#4 name twin');
  await say('genesis setSlot twin @twin');
  await say('genesis setSlot a 0');
  await say('genesis setSlot b 0');
  await say('twin setSlot n 0');
  await say(
    `genesis defineMethod step "function (self, i) { self.set('a', i); self.send('setSlot', 'b', i); self.get('twin').send('setSlot', 'n', i); return i }"`,
  );
}
const last = text(await say('genesis a'));
let n = Number(last);
// Warm the sandbox up (rewriting the same values changes nothing), so kills land mid-stream.
await say(`genesis step ${n}`);
process.stdout.write('ready\n');
const SENDERS = 7;
for (let k = 1; k <= SENDERS; k += 1)
  void (async () => {
    const platform = (['console', 'discord', 'slack'] as const)[k % 3]!;
    for (let count = 1; ; count += 1) {
      await say(`genesis setSlot c${k} ${count}`, platform);
      process.stdout.write(`ok${k} ${count}\n`);
    }
  })();
for (;;) {
  n += 1;
  await say(`genesis step ${n}`);
  process.stdout.write(`ok ${n}\n`);
}
