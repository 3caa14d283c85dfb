/**
 * One BAT OS process of the scale bench: `senders` concurrent senders, each with an object of
 * its own (a clone of genesis, as each person has their own things), send one-slot primitive
 * writes to it for `ms` after a 300 ms warm-up; then it prints "sends N seconds S cpu C server
 * P": C is the CPU seconds this process spent meanwhile (all its threads), which a loaded
 * machine does not inflate as it does the wall time, and P the PostgreSQL server's ("-" where
 * it cannot be read, or on SQLite).
 */
import { Image, isPostgresLocation } from '../src/core/image/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { person, sendLine } from './operator.ts';
import { postmasterPid, serverCpuSeconds } from './server-cpu.ts';

const [url, senders, ms] = process.argv.slice(2) as [string, string, string];
const uvm = new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() });
// Each sender a person of their own, as on a chat platform: the send gate gives each their
// share of the sends that run at once (one person alone would hold only that share).
const people = Array.from({ length: Number(senders) }, (_, k) => person('discord', `sender-${k}`));
const objects: number[] = [];
for (const caller of people)
  objects.push(((await sendLine(uvm, 'genesis clone', caller)).value as { $ref: number }).$ref);
const postmaster = isPostgresLocation(url) ? await postmasterPid(url) : undefined;
const run = async (duration: number) => {
  let sends = 0;
  const server = serverCpuSeconds(postmaster);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const stop = started + duration;
  await Promise.all(
    objects.map(async (oid, k) => {
      for (let n = 0; performance.now() < stop; n += 1) {
        await sendLine(uvm, `#${oid} setSlot n ${n}`, people[k]);
        sends += 1;
      }
    }),
  );
  const { user, system } = process.cpuUsage(cpu);
  const serverAfter = serverCpuSeconds(postmaster);
  return {
    sends,
    seconds: (performance.now() - started) / 1000,
    cpu: (user + system) / 1e6,
    server: server === undefined || serverAfter === undefined ? '-' : serverAfter - server,
  };
};
await run(300);
const { sends, seconds, cpu, server } = await run(Number(ms));
process.stdout.write(`sends ${sends} seconds ${seconds} cpu ${cpu} server ${server}\n`);
await uvm.close();
