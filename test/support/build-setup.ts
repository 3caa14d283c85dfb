/**
 * vitest's global setup: builds `dist/` when it is missing or older than `src/`, so that the
 * tests that start BAT OS as its users do (`npm start`, pm2: the launcher) run the build of
 * the code under test, not the launcher's fallback to the sources (which says so on stderr).
 * A build that is current is left alone.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildState } from '../../src/build-info.mjs';
import { REPO_ROOT } from './run-batos.ts';

export default function setup(): void {
  if (buildState(join(REPO_ROOT, 'src'), join(REPO_ROOT, 'dist')) === 'current') return;
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`npm run build failed:\n${run.stdout}${run.stderr}`);
}
