/**
 * pm2 apps for BAT OS: the bot and its steward. Start with `npm run serve` (PM2_HOME defaults
 * to this project's `.pm2/`; logs go to `$PM2_HOME/logs`).
 *
 * An ES module with the apps as the named export `apps`: pm2 7 loads it with require(),
 * which takes ES modules on Node 20.19 and later.
 *
 * Both apps run Node directly (`interpreter: 'none'`): pm2's own TypeScript path wants
 * ts-node, and tsx's CLI would put a process between pm2 and the bot, breaking
 * `process.send('ready')`. The bot runs its launcher, `src/launch.mjs` (the build in `dist/`,
 * or the sources through tsx when the build is missing or stale); the steward, whose start
 * time matters to nobody, runs its sources with tsx as an import hook.
 *
 * No `log_date_format`: each program stamps its own lines, so every line has one timestamp.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const logs = path.join(process.env.PM2_HOME || path.join(root, '.pm2'), 'logs');

/** @param {string[]} args Node's arguments: the entry, after any import hook. */
const node = (...args) => ({
  script: process.execPath,
  args,
  interpreter: 'none',
  cwd: root,
  merge_logs: true,
  // Crash loops back off (100 ms doubling up to 15 s) instead of spinning.
  exp_backoff_restart_delay: 100,
  // 78 is a wrong setting (a rejected token, a missing key): restarting cannot fix it.
  stop_exit_codes: [78],
});

export const apps = [
  {
    name: 'batos',
    ...node('src/launch.mjs'),
    // The bot sends 'ready' once the image, the model and the front ends are up.
    wait_ready: true,
    // Loading a model can take a while; the steward checks the health file anyway.
    listen_timeout: 120_000,
    // A clean stop finishes the in-flight send, commits, unloads the model, closes the image.
    kill_timeout: 30_000,
    // Windows has no SIGINT for detached processes: pm2 sends a 'shutdown' message instead.
    shutdown_with_message: process.platform === 'win32',
    // Under pm2 there is nobody at stdin: serve the chat front ends only.
    env: { BATOS_CONSOLE: 'off' },
    out_file: path.join(logs, 'batos.out.log'),
    error_file: path.join(logs, 'batos.err.log'),
  },
  {
    name: 'batos-steward',
    ...node('--import', 'tsx', 'src/steward/main.ts'),
    // The steward keeps its progress in a state file; a quick stop is safe.
    kill_timeout: 5_000,
    out_file: path.join(logs, 'steward.out.log'),
    error_file: path.join(logs, 'steward.err.log'),
  },
];
