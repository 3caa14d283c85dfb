/**
 * `npm run serve[:stop|:logs|:status]`: runs the project's own pm2 with PM2_HOME defaulting to
 * the project's `.pm2/` folder, so no global pm2 is needed and nothing leaks into ~/.pm2.
 *
 * `start` checks first: the settings must be good; a bot with no chat front end (nobody can
 * reach it under pm2) starts only with `--without-chat`; without BATOS_UPGRADE_KEY the
 * steward is left out and the command that makes a key is printed, instead of a steward
 * that cannot run. A bot already running is left alone. Then it waits until the bot is
 * ready and exits 0, or prints the bot's own error and exits non-zero (its status when it
 * exited: 78 for a setting or file to fix).
 *
 * Usage: tsx scripts/serve.ts start [--without-chat] | stop | logs | status [pm2 arguments]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { coreConfig } from '../src/config/core-config.ts';
import { readSettings, SettingsError } from '../src/config/read.ts';
import { MAKE_UPGRADE_KEY, type SettingValues } from '../src/config/settings.ts';
import { createPrivateFile, ensurePrivateDirSync } from '../src/core/private-files.ts';
import { waitForBot, type Pm2App } from './serve-wait.ts';

const HELP: Record<string, string> = {
  start: `usage: npm run serve [-- --without-chat] [-- pm2 arguments]

Starts BAT OS under pm2 (PM2_HOME, default .pm2/ here) with its steward, and waits until the
bot reports ready: exit 0, or the bot's own error and its exit status (78: a setting or file
to fix). Settings come from the environment and .env, as for npm start.

  --without-chat  start even though no chat front end (Discord, Slack) is configured
                  (under pm2 there is no console, so nobody could talk to it)

Without BATOS_UPGRADE_KEY only the bot starts, and the command that makes a key is printed.
A bot already running is left alone: npm run serve:stop first to restart it.`,
  stop: `usage: npm run serve:stop

Stops BAT OS and its steward (the bot finishes the send in flight and closes the image), then
pm2's daemon, so nothing stays behind.`,
  logs: `usage: npm run serve:logs [-- pm2 logs arguments]

Follows the bot's and the steward's logs (in PM2_HOME/logs); e.g. -- --lines 100.`,
  status: `usage: npm run serve:status [-- pm2 arguments]

Lists the apps pm2 runs: the bot (batos) and its steward (batos-steward).`,
};

const BOT = 'batos';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pm2 = createRequire(import.meta.url).resolve('pm2/bin/pm2');
const config = path.join(root, 'ecosystem.config.js');

/** Runs pm2 with `args`; unless `mayFail`, exits with its status if it fails. */
function runPm2(args: readonly string[], env: NodeJS.ProcessEnv, mayFail = false): void {
  const run = spawnSync(process.execPath, [pm2, ...args], { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0 && !mayFail) process.exit(run.status ?? 1);
}

/** Whether pm2's daemon for PM2_HOME is running (asking pm2 itself would start one). */
function daemonRunning(home: string): boolean {
  const pidFile = path.join(home, 'pm2.pid');
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

/** The bot as pm2 lists it, or `undefined`; only asks a daemon that is running. */
function describeBot(env: NodeJS.ProcessEnv, home: string): Pm2App | undefined {
  if (!daemonRunning(home)) return undefined;
  const run = spawnSync(process.execPath, [pm2, 'jlist'], { cwd: root, env, encoding: 'utf8' });
  try {
    return (JSON.parse(run.stdout) as Pm2App[]).find((app) => app.name === BOT);
  } catch {
    return undefined;
  }
}

/** The settings, or exits 78 naming each bad one. */
function settingsOrExit(env: NodeJS.ProcessEnv): SettingValues {
  try {
    return readSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}

/** The pm2 arguments that start what can run, or exits saying why nothing should. */
function startArguments(values: SettingValues, withoutChat: boolean): string[] {
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
        `  npm run serve:stop && npm run serve${withoutChat ? ' -- --without-chat' : ''}`,
        '',
      ].join('\n'),
    );
    return ['start', config, '--only', BOT];
  }
  return ['start', config];
}

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

/** What the bot wrote to its error log after `offset`: its own account of a failed start. */
function botErrorsSince(logFile: string, offset: number): string {
  if (!existsSync(logFile)) return '';
  return readFileSync(logFile).subarray(offset).toString('utf8').trim();
}

/** Starts the bot (unless it runs already) and waits until it is ready or has failed. */
async function start(env: NodeJS.ProcessEnv, home: string, args: readonly string[]) {
  const withoutChat = args.includes('--without-chat');
  const extra = args.filter((arg) => arg !== '--without-chat');
  const values = settingsOrExit(env);
  const before = describeBot(env, home);
  if (before?.pm2_env.status === 'online') {
    process.stdout.write(
      `BAT OS is already running under pm2 (pid ${before.pid}); left as it is. To restart it: npm run serve:stop && npm run serve${withoutChat ? ' -- --without-chat' : ''}\n`,
    );
    return 0;
  }
  const pm2Args = startArguments(values, withoutChat);
  // A bot stopped earlier keeps its exit status and restart count: start afresh.
  if (before !== undefined) runPm2(['delete', BOT], env, true);
  const errorLog = path.join(home, 'logs', 'batos.err.log');
  const offset = statSync(errorLog, { throwIfNoEntry: false })?.size ?? 0;
  await createPrivateLogs();
  runPm2([...pm2Args, ...extra], env);
  const result = await waitForBot({
    describe: () => describeBot(env, home),
    healthFile: path.resolve(root, coreConfig(values).healthFile),
    timeoutMs: values.BATOS_READY_TIMEOUT_MS,
  });
  if (result.up) {
    process.stdout.write(
      `BAT OS ${result.version} is ready under pm2 (pid ${result.pid}). npm run serve:logs follows it; npm run serve:stop stops it.\n`,
    );
    return 0;
  }
  const said = botErrorsSince(errorLog, offset);
  process.stderr.write(
    [
      `BAT OS did not come up: ${result.reason}.`,
      ...(said === '' ? [] : ['It said:', said]),
      result.exitCode === 78
        ? 'Fix what it names (npm start -- --check checks without pm2), then npm run serve again.'
        : 'pm2 keeps trying it, with back-off: npm run serve:logs follows it, npm run serve:stop stops it.',
      '',
    ].join('\n'),
  );
  return result.exitCode !== undefined && result.exitCode !== 0 ? result.exitCode : 1;
}

const [action = 'status', ...rest] = process.argv.slice(2);
const help = HELP[action];
if (help === undefined || (rest.includes('--without-chat') && action !== 'start')) {
  process.stderr.write(`usage: npm run serve | serve:stop | serve:logs | serve:status\n`);
  process.exit(2);
}
// Help before anything else: no pm2 daemon, no settings read.
if (rest.includes('--help') || rest.includes('-h')) {
  process.stdout.write(`${help}\n`);
  process.exit(0);
}
// Same convention as the bot: a .env in the project folder; the environment wins.
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const home = process.env.PM2_HOME || path.join(root, '.pm2');
const env = { ...process.env, PM2_HOME: home };

if (action === 'start') process.exitCode = await start(env, home, rest);
// Stop the apps (the bot shuts down cleanly), then the daemon, so nothing stays behind.
if (action === 'stop') {
  if (rest.length > 0) {
    process.stderr.write(`${HELP.stop}\n`);
    process.exit(2);
  }
  if (!daemonRunning(home)) {
    process.stdout.write(`BAT OS is not running under pm2 (PM2_HOME=${home}); nothing to stop.\n`);
  } else {
    // Without a key only the bot was started: pm2 complains about the steward, and that is fine.
    runPm2(['stop', config], env, true);
    runPm2(['kill'], env);
  }
}
if (action === 'logs' || action === 'status') runPm2([action, ...rest], env);
