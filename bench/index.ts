/**
 * `npm run bench`: runs every benchmark and prints its table. `npm run bench -- image`
 * runs only the named ones; `--help` lists them. A benchmark that fails prints its error and
 * the run goes on; the exit status is 1 when any failed, and the last line names them.
 */
import { benchAccess } from './access.ts';
import { benchBrowser } from './browser.ts';
import { benchEval } from './eval.ts';
import { parseCommandLine } from '../scripts/cli.ts';
import { benchFairness } from './fairness.ts';
import { benchFrontEnds } from './frontends.ts';
import { benchImage } from './image.ts';
import { benchMethodIndex } from './method-index.ts';
import { benchMemory } from './memory.ts';
import { benchMemoryEmbedding } from './memory-embedding.ts';
import { benchMind } from './mind.ts';
import { benchBatching, benchPersonas } from './personas.ts';
import { benchRemoteMind } from './remote-mind.ts';
import { benchSandbox } from './sandbox.ts';
import { benchScale } from './scale.ts';
import { benchMethodsUnderLoad, benchSends } from './sends.ts';
import { benchStart } from './start.ts';
import { runBenches, type Bench } from './run.ts';
import { benchUpgrade } from './upgrade.ts';

const benches: Record<string, Bench> = {
  image: benchImage,
  'method-index': benchMethodIndex,
  eval: benchEval,
  sends: benchSends,
  'methods-under-load': benchMethodsUnderLoad,
  fairness: benchFairness,
  access: benchAccess,
  sandbox: benchSandbox,
  mind: benchMind,
  personas: async () => [await benchPersonas(), await benchBatching()],
  memory: benchMemory,
  'memory-embedding': benchMemoryEmbedding,
  'remote-mind': benchRemoteMind,
  frontends: async () => ({
    title: 'Front ends: message-to-reply overhead with an instant bot, against local servers (ms)',
    rows: (await benchFrontEnds()).map((row) => ({ ...row })),
    notes: ['Target: p50 ≤ 10 ms. Model time is excluded by design: the bot answers at once.'],
  }),
  start: benchStart,
  upgrade: benchUpgrade,
  browser: benchBrowser,
  scale: benchScale,
};

const names = Object.keys(benches);
const wanted = parseCommandLine({
  usage: `npm run bench -- [${names.join('|')} …]`,
  help: `Runs the named benchmarks (all of them when none is named) and prints a table for
each on stdout; progress goes to stderr. A benchmark that fails prints its error and the
run goes on; the exit status is 1 when any failed, and the last line names them. Known: ${names.join(', ')}.`,
  options: {},
  positionals: { max: names.length, allowed: names },
}).positionals;
const failed = await runBenches(benches, wanted, {
  table: (text) => process.stdout.write(text),
  progress: (text) => process.stderr.write(text),
});
if (failed.length > 0) {
  process.stdout.write(
    `Failed: ${failed.join(', ')} (see above); every other table is complete.\n`,
  );
  process.exitCode = 1;
}
