/**
 * Reading the running application's version: package.json version plus git revision.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AppVersion } from './request.ts';

const run = promisify(execFile);

/** The version in the package.json of the application in `appDir`. */
export async function readPackageVersion(appDir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** The version and full git revision of the application in `appDir`, a git checkout. */
export async function readAppVersion(appDir: string): Promise<AppVersion> {
  const version = await readPackageVersion(appDir);
  const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd: appDir });
  return { version, revision: stdout.trim() };
}
