/**
 * `npm run format` and `npm run lint` (`--check`): Prettier and ESLint over the project, the
 * one rewriting what it can, the other only reporting. Either answers `--help` without
 * touching a file.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from './cli.ts';
import { describeCycle, importCycles } from './import-cycles.ts';

const { values } = parseCommandLine({
  usage: 'npm run format | npm run lint (tsx scripts/format.ts [--check])',
  help: `npm run format rewrites every file Prettier lays out (prettier --write .), then lets
ESLint fix what it can (eslint --fix .). npm run lint changes nothing: it runs eslint . and
prettier --check ., refuses import cycles (between files, and between the rooms of
docs/architecture.md) in src, scripts, bench and test, and fails on what they find.

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

/** Exits 1, naming each, when files or rooms under the project's code import each other. */
function refuseCycles(): void {
  const found = ['src', 'scripts', 'bench', 'test'].flatMap((folder) =>
    importCycles(fileURLToPath(new URL(`../${folder}`, import.meta.url))).map(
      (cycle) => `${folder}: ${describeCycle(cycle)}`,
    ),
  );
  if (found.length === 0) return;
  process.stderr.write(
    `${found.join('\n')}\nMove the shared types or functions to the room they belong to, so imports point one way.\n`,
  );
  process.exit(1);
}

if (values.check === true) {
  run('eslint', ['.']);
  run('prettier', ['--check', '.']);
  refuseCycles();
} else {
  run('prettier', ['--write', '.']);
  run('eslint', ['--fix', '.']);
}
