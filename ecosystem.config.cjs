/**
 * pm2 apps for BAT OS: the bot and its steward. Start with `npm run serve` (PM2_HOME defaults
 * to this project's `.pm2/`).
 *
 * A `.cjs` file because pm2 7 loads its config with require(): with package.json
 * "type": "module" an ESM `ecosystem.config.js` comes back as a module namespace and pm2
 * aborts with "No script path".
 *
 * Both apps run Node directly (`interpreter: 'none'`) with tsx as an import hook: pm2's own
 * TypeScript path wants ts-node, and tsx's CLI would put a process between pm2 and the bot,
 * breaking `process.send('ready')`.
 */
// Plain string paths: forward slashes work on every platform, and no require() is needed.
const logs = `${__dirname}/.pm2/logs`;
const tsx = (entry) => ({
  script: process.execPath,
  args: ['--import', 'tsx', entry],
  interpreter: 'none',
  cwd: __dirname,
  merge_logs: true,
  log_date_format: 'YYYY-MM-DD HH:mm:ss.SSS',
  // Crash loops back off (100 ms doubling up to 15 s) instead of spinning.
  exp_backoff_restart_delay: 100,
});

module.exports = {
  apps: [
    {
      name: 'batos',
      ...tsx('src/main.ts'),
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
      out_file: `${logs}/batos.out.log`,
      error_file: `${logs}/batos.err.log`,
    },
    {
      name: 'batos-steward',
      ...tsx('src/steward/main.ts'),
      // The steward keeps its progress in a state file; a quick stop is safe.
      kill_timeout: 5_000,
      out_file: `${logs}/steward.out.log`,
      error_file: `${logs}/steward.err.log`,
    },
  ],
};
