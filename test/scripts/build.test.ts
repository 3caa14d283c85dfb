import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync, symlinkSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, REPO_ROOT, type RunResult } from '../support/run-batos.ts';
import { tempDir } from '../support/temp.ts';

/** What the launcher says when it starts from the sources instead of the build. */
const FROM_SOURCES = /starting from the TypeScript sources through tsx.*Run "npm run build"/;

/** A copy of the project's sources and package.json, sharing its node_modules, to build. */
function projectCopy(): string {
  const dir = tempDir('batos-build-');
  cpSync(join(REPO_ROOT, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `npm run build` for the copy in `dir`. */
async function build(dir: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'build.ts'), '--root', dir],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const run = await finished(child, 'npm run build');
  expect(run.code, run.stderr).toBe(0);
}

/** `npm start` in the copy in `dir`: its launcher, with `input` piped in. */
function launch(dir: string, args: readonly string[], input = ''): Promise<RunResult> {
  const child = spawn(process.execPath, [join(dir, 'src', 'launch.mjs'), ...args], {
    cwd: dir,
    env: {
      ...process.env,
      BATOS_IMAGE: join(dir, 'image.db'),
      BATOS_THREADS: '1',
      BATOS_AUDIT_INTERVAL_MINUTES: '0',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = finished(child, 'npm start');
  child.stdin.end(input);
  return result;
}

describe('npm run build and the launcher', () => {
  it('builds JavaScript that starts without tsx and runs methods in the sandbox workers', async () => {
    const dir = projectCopy();
    await build(dir);
    expect(existsSync(join(dir, 'dist', 'main.js'))).toBe(true);
    // The worker scripts sit beside the code that starts them, as in src/.
    expect(existsSync(join(dir, 'dist', 'core', 'sandbox', 'worker', 'worker.mjs'))).toBe(true);

    const version = await launch(dir, ['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toBe('BAT OS 0.1.0 (unknown)\n');
    expect(version.stderr).not.toMatch(FROM_SOURCES);

    const run = await launch(
      dir,
      [],
      `genesis defineMethod greet "function (self, name) { return 'Hello, ' + name }"\ngenesis greet "Ada"\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Hello, Ada');
    expect(run.stderr).not.toMatch(FROM_SOURCES);
  });

  it('never runs a stale or missing build: it starts from the sources, says so and what to do', async () => {
    const dir = projectCopy();
    await build(dir);
    const main = join(dir, 'src', 'main.ts');
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace(
        '`BAT OS ${version.version}',
        '`BAT OS (edited) ${version.version}',
      ),
    );

    const stale = await launch(dir, ['--version']);
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stdout).toBe('BAT OS (edited) 0.1.0 (unknown)\n');
    expect(stale.stderr).toMatch(/older than the sources/);
    expect(stale.stderr).toMatch(FROM_SOURCES);

    await build(dir);
    const rebuilt = await launch(dir, ['--version']);
    expect(rebuilt.stdout).toBe('BAT OS (edited) 0.1.0 (unknown)\n');
    expect(rebuilt.stderr).toBe('');

    rmSync(join(dir, 'dist'), { recursive: true });
    const missing = await launch(dir, ['--version']);
    expect(missing.stdout).toBe('BAT OS (edited) 0.1.0 (unknown)\n');
    expect(missing.stderr).toMatch(/not built/);
    expect(missing.stderr).toMatch(FROM_SOURCES);
  });
});
