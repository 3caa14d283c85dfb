/**
 * `npm run bench`: runs every benchmark and prints its table. `npm run bench -- image`
 * runs only the named ones.
 */
import { benchFrontEnds } from './frontends.ts';
import { benchImage } from './image.ts';
import { benchMind } from './mind.ts';
import { benchPersonas } from './personas.ts';
import { benchRemoteMind } from './remote-mind.ts';
import { benchSandbox } from './sandbox.ts';
import { benchSends } from './sends.ts';
import { renderTable, type BenchTable } from './table.ts';

const benches: Record<string, () => Promise<BenchTable | BenchTable[]>> = {
  image: benchImage,
  sends: benchSends,
  sandbox: benchSandbox,
  mind: benchMind,
  personas: benchPersonas,
  'remote-mind': benchRemoteMind,
  frontends: async () => ({
    title: 'Front ends: message-to-reply overhead with an instant bot, against local servers (ms)',
    rows: (await benchFrontEnds()).map((row) => ({ ...row })),
    notes: ['Target: p50 ≤ 10 ms. Model time is excluded by design: the bot answers at once.'],
  }),
};

const wanted = process.argv.slice(2);
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`running ${name}…\n`);
  const result = await bench();
  for (const table of Array.isArray(result) ? result : [result])
    process.stdout.write(renderTable(table) + '\n');
}
