/**
 * `npm test [-- vitest arguments]`: the lint, the type check, then every test (vitest run),
 * stopping at the first that fails. `--help` says so and runs nothing.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`usage: npm test [-- vitest arguments]

Runs npm run lint (ESLint, Prettier's check, import cycles), npm run typecheck (tsc),
then every test with vitest run, stopping at the first that fails. Arguments go to vitest:
npm test -- test/x.test.ts runs one file. The tests start a real PostgreSQL and a real
llama-server (built into ~/.cache/batos once when missing: npm run llama-server:build).
`);
  process.exit(0);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
for (const [command, commandArgs] of [
  [npm, ['run', 'lint']],
  [npm, ['run', 'typecheck']],
  [npx, ['--no', '--', 'vitest', 'run', ...args]],
] as const) {
  const done = spawnSync(command, commandArgs, {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (done.status !== 0) process.exit(done.status ?? 1);
}
