/**
 * `npm run llama-server:build [-- --cuda] [-- --jobs N]`: builds llama.cpp's `llama-server`
 * from the source node-llama-cpp ships, into the user's cache folder, once (see
 * `llama-server-cache.ts`). Prints the executable's path.
 */
import { parseArgs } from 'node:util';
import { buildLlamaServer } from './llama-server-cache.ts';

const { values } = parseArgs({
  options: { cuda: { type: 'boolean' }, jobs: { type: 'string', short: 'j' } },
});
const jobs = Number(values.jobs ?? 2);
if (!Number.isInteger(jobs) || jobs < 1) {
  process.stderr.write('usage: npm run llama-server:build [-- --cuda] [-- --jobs N]\n');
  process.exit(2);
}
try {
  const build = await buildLlamaServer({
    backend: values.cuda ? 'cuda' : 'cpu',
    jobs,
    onLine: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${build.binary}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
