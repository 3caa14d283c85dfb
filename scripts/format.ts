/**
 * `npm run format` and `npm run lint` (`--check`): Prettier and ESLint over the project, the
 * one rewriting what it can, the other only reporting. Either answers `--help` without
 * touching a file.
 */
import { spawnSync } from 'node:child_process';
import { parseCommandLine } from './cli.ts';

const { values } = parseCommandLine({
  usage: 'npm run format | npm run lint (tsx scripts/format.ts [--check])',
  help: `npm run format rewrites every file Prettier lays out (prettier --write .), then lets
ESLint fix what it can (eslint --fix .). npm run lint changes nothing: it runs eslint . and
prettier --check . and fails on what they find.

      --check   report only, change nothing (what npm run lint runs)`,
  options: { check: { type: 'boolean' } },
});

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** Runs one of the project's tools over it; exits with the tool's status when it fails. */
function run(tool: 'prettier' | 'eslint', args: readonly string[]): void {
  const done = spawnSync(npx, ['--no', '--', tool, ...args], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (done.status !== 0) process.exit(done.status ?? 1);
}

if (values.check === true) {
  run('eslint', ['.']);
  run('prettier', ['--check', '.']);
} else {
  run('prettier', ['--write', '.']);
  run('eslint', ['--fix', '.']);
}
