/**
 * `npm run serve[:stop|:logs|:status]`: runs the project's own pm2 with PM2_HOME defaulting to
 * the project's `.pm2/` folder, so no global pm2 is needed and nothing leaks into ~/.pm2.
 *
 * Usage: tsx scripts/serve.ts start|stop|logs|status [extra pm2 arguments]
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pm2 = createRequire(import.meta.url).resolve('pm2/bin/pm2');
const config = path.join(root, 'ecosystem.config.cjs');
const env = { ...process.env, PM2_HOME: process.env.PM2_HOME ?? path.join(root, '.pm2') };

const commands: Record<string, string[][]> = {
  start: [['start', config]],
  // Stop the apps (the bot shuts down cleanly), then the daemon, so nothing stays behind.
  stop: [['stop', config], ['kill']],
  logs: [['logs']],
  status: [['status']],
};

const [action = 'status', ...extra] = process.argv.slice(2);
const steps = commands[action];
if (steps === undefined) {
  console.error(`usage: serve.ts ${Object.keys(commands).join('|')} [pm2 arguments]`);
  process.exit(2);
}
for (const [i, args] of steps.entries()) {
  const last = i === steps.length - 1;
  const run = spawnSync(process.execPath, [pm2, ...args, ...(last ? extra : [])], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
