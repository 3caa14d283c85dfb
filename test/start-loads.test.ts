/**
 * What a start loads, seen by a module hook in the real launcher's process (the build, as
 * `npm start` runs it): `--version` loads no package at all, and a start without a model
 * answers a piped send without loading node-llama-cpp (some 350 files before it was lazy).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { finished, REPO_ROOT } from './support/run-batos.ts';
import { tempDir } from './support/temp.ts';

/** Runs the launcher with `args` and `input`; the URLs it resolved, and what it printed. */
async function loaded(
  args: readonly string[],
  input: string,
): Promise<{ urls: string[]; stdout: string }> {
  const dir = tempDir('batos-start-loads-');
  const list = join(dir, 'loaded.txt');
  writeFileSync(list, '');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(list)}, result.url + '\\n');
  return result;
}`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});`,
  );
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(register).href, join(REPO_ROOT, 'src', 'launch.mjs'), ...args],
    {
      cwd: dir,
      env: {
        ...process.env,
        BATOS_IMAGE: join(dir, 'image.db'),
        BATOS_AUDIT_INTERVAL_MINUTES: '0',
        BATOS_MODELS_DIR: join(dir, 'models'),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const run = finished(child, 'npm start');
  child.stdin.end(input);
  const { code, stdout, stderr } = await run;
  expect(code, stderr).toBe(0);
  // The build ran, not the sources through tsx.
  expect(stderr).not.toMatch(/through tsx/);
  return { urls: readFileSync(list, 'utf8').split('\n').filter(Boolean), stdout };
}

const packages = (urls: readonly string[]) => urls.filter((url) => url.includes('/node_modules/'));

describe('what a start loads', () => {
  it('--version loads no package', async () => {
    const { urls, stdout } = await loaded(['--version'], '');
    expect(stdout).toMatch(/^BAT OS /);
    expect(urls.some((url) => url.endsWith('/dist/main.js'))).toBe(true);
    expect(packages(urls)).toEqual([]);
  });

  it('answers a piped send with no model without loading node-llama-cpp', async () => {
    const { urls, stdout } = await loaded([], 'genesis slotNames\n');
    expect(stdout).toContain('parent');
    expect(packages(urls).some((url) => url.includes('/better-sqlite3/'))).toBe(true);
    expect(packages(urls).filter((url) => url.includes('/node-llama-cpp/'))).toEqual([]);
  });
});
