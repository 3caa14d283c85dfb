/**
 * `npm run serve[:stop|:logs|:status]`: runs the project's own pm2 with PM2_HOME defaulting to
 * the project's `.pm2/` folder, so no global pm2 is needed and nothing leaks into ~/.pm2.
 *
 * `start` checks first: the settings must be good; a bot with no chat front end (nobody can
 * reach it under pm2) starts only with `--without-chat`; without BATOS_UPGRADE_KEY the
 * steward is left out and the command that makes a key is printed, instead of a steward
 * that cannot run.
 *
 * Usage: tsx scripts/serve.ts start [--without-chat] | stop | logs | status [pm2 arguments]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readSettings, SettingsError } from '../src/config/read.ts';
import { MAKE_UPGRADE_KEY } from '../src/config/settings.ts';
import { createPrivateFile, ensurePrivateDirSync } from '../src/core/private-files.ts';

const USAGE =
  'usage: npm run serve [-- --without-chat] | npm run serve:stop | serve:logs | serve:status [-- pm2 arguments]';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pm2 = createRequire(import.meta.url).resolve('pm2/bin/pm2');
const config = path.join(root, 'ecosystem.config.js');

/** Runs pm2 with `args`; unless `mayFail`, exits with its status if it fails. */
function runPm2(args: readonly string[], env: NodeJS.ProcessEnv, mayFail = false): void {
  const run = spawnSync(process.execPath, [pm2, ...args], { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0 && !mayFail) process.exit(run.status ?? 1);
}

/** The pm2 arguments that start what can run, or exits saying why nothing should. */
function startArguments(env: NodeJS.ProcessEnv, withoutChat: boolean): string[] {
  let values;
  try {
    values = readSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  if (values.DISCORD_TOKEN === undefined && values.SLACK_BOT_TOKEN === undefined && !withoutChat) {
    process.stderr.write(
      [
        'No chat front end is configured, and under pm2 there is no console: nobody could reach the bot.',
        'Set DISCORD_TOKEN or SLACK_BOT_TOKEN in .env (docs/discord.md, docs/slack.md),',
        'or start it anyway with: npm run serve -- --without-chat',
        '',
      ].join('\n'),
    );
    process.exit(78);
  }
  if (values.BATOS_UPGRADE_KEY === undefined) {
    process.stderr.write(
      [
        'Upgrades are off: BATOS_UPGRADE_KEY is not set, so the steward is not started.',
        'To turn them on, make a key and restart:',
        `  echo "BATOS_UPGRADE_KEY=$(${MAKE_UPGRADE_KEY})" >> .env`,
        '  npm run serve:stop && npm run serve',
        '',
      ].join('\n'),
    );
    return ['start', config, '--only', 'batos'];
  }
  return ['start', config];
}

const [action = 'status', ...rest] = process.argv.slice(2);
const withoutChat = rest.includes('--without-chat');
const extra = rest.filter((arg) => arg !== '--without-chat');
if (!['start', 'stop', 'logs', 'status'].includes(action) || (withoutChat && action !== 'start')) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
// Same convention as the bot: a .env in the project folder; the environment wins.
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const env = { ...process.env, PM2_HOME: process.env.PM2_HOME || path.join(root, '.pm2') };

/**
 * Creates the apps' log files 0600 (in a folder created 0700) before pm2 opens them: they
 * hold what people said, and pm2 would create them readable by every local account. Existing
 * files keep their mode. The paths are the ecosystem's own (its PM2_HOME default is ours).
 */
async function createPrivateLogs(): Promise<void> {
  const { apps } = (await import(pathToFileURL(config).href)) as {
    apps: { out_file: string; error_file: string }[];
  };
  for (const file of apps.flatMap((app) => [app.out_file, app.error_file])) {
    ensurePrivateDirSync(path.dirname(file));
    createPrivateFile(file);
  }
}

if (action === 'start') {
  const args = startArguments(env, withoutChat);
  await createPrivateLogs();
  runPm2([...args, ...extra], env);
}
// Stop the apps (the bot shuts down cleanly), then the daemon, so nothing stays behind.
if (action === 'stop') {
  // Without a key only the bot was started: pm2 complains about the steward, and that is fine.
  runPm2(['stop', config], env, true);
  runPm2(['kill', ...extra], env);
}
if (action === 'logs' || action === 'status') runPm2([action, ...extra], env);
