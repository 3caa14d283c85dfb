/**
 * `npm run bench`: runs every benchmark and prints its table. `npm run bench -- image`
 * runs only the named ones; `--help` lists them.
 */
import { benchAccess } from './access.ts';
import { parseCommandLine } from '../scripts/cli.ts';
import { benchFairness } from './fairness.ts';
import { benchFrontEnds } from './frontends.ts';
import { benchImage } from './image.ts';
import { benchMind } from './mind.ts';
import { benchBatching, benchPersonas } from './personas.ts';
import { benchRemoteMind } from './remote-mind.ts';
import { benchSandbox } from './sandbox.ts';
import { benchScale } from './scale.ts';
import { benchSends } from './sends.ts';
import { renderTable, type BenchTable } from './table.ts';
import { benchUpgrade } from './upgrade.ts';

const benches: Record<string, () => Promise<BenchTable | BenchTable[]>> = {
  image: benchImage,
  sends: benchSends,
  fairness: benchFairness,
  access: benchAccess,
  sandbox: benchSandbox,
  mind: benchMind,
  personas: async () => [await benchPersonas(), await benchBatching()],
  'remote-mind': benchRemoteMind,
  frontends: async () => ({
    title: 'Front ends: message-to-reply overhead with an instant bot, against local servers (ms)',
    rows: (await benchFrontEnds()).map((row) => ({ ...row })),
    notes: ['Target: p50 ≤ 10 ms. Model time is excluded by design: the bot answers at once.'],
  }),
  upgrade: benchUpgrade,
  scale: benchScale,
};

const names = Object.keys(benches);
const wanted = parseCommandLine({
  usage: `npm run bench -- [${names.join('|')} …]`,
  help: `Runs the named benchmarks (all of them when none is named) and prints a table for
each on stdout; progress goes to stderr. Known: ${names.join(', ')}.`,
  options: {},
  positionals: { max: names.length, allowed: names },
}).positionals;
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`running ${name}…\n`);
  const result = await bench();
  for (const table of Array.isArray(result) ? result : [result])
    process.stdout.write(renderTable(table) + '\n');
}
