/**
 * `npm run llama-server:build [-- --cuda] [-- --jobs N]`: builds llama.cpp's `llama-server`
 * from the source node-llama-cpp ships, into the user's cache folder, once (see
 * `llama-server-cache.ts`). Prints the executable's path.
 */
import { buildLlamaServer } from './llama-server-cache.ts';
import { parseCommandLine } from './cli.ts';

const USAGE = 'npm run llama-server:build -- [--cuda] [--jobs N]';

const { values } = parseCommandLine({
  usage: USAGE,
  help: `Builds llama.cpp's llama-server from the source node-llama-cpp ships, into the user's
cache folder (~/.cache/batos/llama-server, or under XDG_CACHE_HOME), once per llama.cpp
version and backend; a build already there is reused at once. Needs cmake and a C++
compiler. Prints the executable's path. It takes a while: about 47 minutes on a busy
2-core machine.

      --cuda      the CUDA backend (needs the CUDA toolkit) instead of the CPU
  -j, --jobs N    compile jobs side by side (default 2)`,
  options: { cuda: { type: 'boolean' }, jobs: { type: 'string', short: 'j' } },
});
const jobs = Number(values.jobs ?? 2);
if (!Number.isInteger(jobs) || jobs < 1) {
  process.stderr.write(
    `--jobs must be a whole number from 1; got "${values.jobs}".\nusage: ${USAGE}\n`,
  );
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
