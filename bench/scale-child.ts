/**
 * One BAT OS process of the scale bench: `senders` concurrent senders send one-slot
 * primitive writes (each its own slot) to a PostgreSQL image for `ms` after a 300 ms
 * warm-up, then print "sends N seconds S".
 */
import { callerOf } from '../src/core/bot/caller.ts';
import { Image } from '../src/core/image/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { parseLine, type ParsedLine } from '../src/core/uvm/parser.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';

const [url, senders, ms, name] = process.argv.slice(2) as [string, string, string, string];
const caller = callerOf({
  platform: 'console',
  sender: { id: 'bench', name: 'bench', isAdmin: true },
  channel: 'console',
  text: '',
  mentions: [],
  adminChannel: true,
});
const uvm = new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() });
const run = async (duration: number) => {
  let sends = 0;
  const started = performance.now();
  const stop = started + duration;
  await Promise.all(
    Array.from({ length: Number(senders) }, async (_, k) => {
      for (let n = 0; performance.now() < stop; n += 1) {
        const line = `genesis setSlot ${name}_${k} ${n}`;
        await uvm.send({ ...(parseLine(line) as Extract<ParsedLine, { kind: 'send' }>), caller });
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
