/**
 * One BAT OS process of the scale bench: `senders` concurrent senders, each with an object of
 * its own (a clone of genesis, as each person has their own things), send one-slot primitive
 * writes to it for `ms` after a 300 ms warm-up; then it prints "sends N seconds S".
 */
import { callerOf } from '../src/core/bot/caller.ts';
import { Image } from '../src/core/image/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { parseLine, type ParsedLine } from '../src/core/uvm/parser.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';

const [url, senders, ms] = process.argv.slice(2) as [string, string, string];
const caller = callerOf({
  platform: 'console',
  sender: { id: 'bench', name: 'bench', isAdmin: true },
  channel: 'console',
  text: '',
  mentions: [],
  adminChannel: true,
});
const uvm = new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() });
const send = (line: string) =>
  uvm.send({ ...(parseLine(line) as Extract<ParsedLine, { kind: 'send' }>), caller });
const objects: number[] = [];
for (let k = 0; k < Number(senders); k += 1)
  objects.push(((await send('genesis clone')).value as { $ref: number }).$ref);
const run = async (duration: number) => {
  let sends = 0;
  const started = performance.now();
  const stop = started + duration;
  await Promise.all(
    objects.map(async (oid) => {
      for (let n = 0; performance.now() < stop; n += 1) {
        await send(`#${oid} setSlot n ${n}`);
        sends += 1;
      }
    }),
  );
  return { sends, seconds: (performance.now() - started) / 1000 };
};
await run(300);
const { sends, seconds } = await run(Number(ms));
process.stdout.write(`sends ${sends} seconds ${seconds}\n`);
await uvm.close();
