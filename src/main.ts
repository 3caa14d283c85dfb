/**
 * The composition root: the one place that reads the environment and wires BAT OS together.
 *
 *   settings (src/config/settings.ts) → checks before load (image path, model file, chat
 *   platform logins: src/preflight.ts) → image → sandbox → mind (when a model is there) → UVM
 *   → personas → bot → front ends (Discord, Slack, console) → ready
 *
 * This file reads the command line and the settings; `start.ts`, loaded only for a check or a
 * start, does the rest, so a settings refusal answers without loading the image, the
 * sandbox or the front ends. `--version` loads nothing of BAT OS but the version reader,
 * and `--help` only the settings table (its imports stay static only for what every run
 * needs: see `scripts/build.ts`, whose bundle keeps each dynamic import a file of its own).
 *
 * `--check` runs the very checks a start runs and exits; `--help` lists every setting;
 * `--version`. A wrong setting, or a file a setting names that cannot serve (the image, `.env`
 * readable by others), exits 78 (pm2 does not restart on it) naming the variable, before
 * anything is loaded or written. Files BAT OS makes are private to its user (umask 077).
 *
 * SIGINT, SIGTERM or pm2's shutdown message stop the front ends, let the send in flight
 * finish and commit, close the image and the model, and exit 0. The end of piped console
 * input does the same, exiting 1 instead when a line failed.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Env } from './config/read.ts';
import { createLogger } from './core/log.ts';
import { readAppVersion, readPackageVersion } from './core/upgrade/version.ts';
import { EXIT, refuseStart } from './start-refusal.ts';

/** Settings beside the environment, in the folder BAT OS runs in (the environment wins). */
const ENV_FILE = '.env';

const USAGE = 'usage: npm start [-- --check | --check-config | --help | --version]';

/** What the program was asked to do, or the exit code of bad usage. */
function parseCommandLine(
  argv: readonly string[],
): { check?: boolean; 'check-config'?: boolean; help?: boolean; version?: boolean } | number {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        check: { type: 'boolean' },
        'check-config': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
}

/**
 * Runs BAT OS as the command line asks: `--help`, `--version`, `--check`, or (by default)
 * check, then serve until stopped. Resolves with the exit code.
 */
export async function main(argv: readonly string[], env: Env): Promise<number> {
  const command = parseCommandLine(argv);
  if (typeof command === 'number') return command;
  if (command.help) {
    const { helpText } = await import('./config/docs.ts');
    process.stdout.write(helpText());
    return 0;
  }
  const appDir = process.cwd();
  // Outside a git checkout (a tarball, files copied into an image) package.json still knows.
  // Asked now, and awaited once needed: git answers while the settings and the start load.
  const reading = readAppVersion(appDir).catch(async () => ({
    version: await readPackageVersion(appDir).catch(() => 'unknown'),
    revision: 'unknown',
  }));
  if (command.version) {
    const version = await reading;
    process.stdout.write(`BAT OS ${version.version} (${version.revision})\n`);
    return 0;
  }
  const { parseSettings, SettingsError } = await import('./config/read.ts');
  const { values, problems: settingProblems } = parseSettings(env);
  const imageSet = (env.BATOS_IMAGE ?? '').trim() !== '';
  if (settingProblems.length > 0) {
    // The image path is checked too, so that every problem shows at once.
    const { checkImagePath } = await import('./preflight.ts');
    const image = checkImagePath(values.BATOS_IMAGE, imageSet);
    const lines = [...settingProblems, ...(image.status === 'problem' ? [image.line] : [])];
    if (values.BATOS_LOG_FORMAT === 'json') refuseStart(lines, 'json');
    else process.stderr.write(`${new SettingsError('invalid', lines).message}\n`);
    return EXIT.config;
  }
  const log = createLogger({ level: values.BATOS_LOG_LEVEL, format: values.BATOS_LOG_FORMAT });
  // The steward checks a prepared version this way before it stops the running one: the
  // settings only, opening nothing and logging in nowhere.
  if (command['check-config']) {
    log.info('configuration ok');
    return 0;
  }
  // Only a check or a start loads the rest: the adapters, the model, the image.
  const [{ start }, version] = await Promise.all([import('./start.ts'), reading]);
  return start({
    values,
    env,
    imageSet,
    envFile: ENV_FILE,
    check: command.check === true,
    appDir,
    version,
    log,
  });
}

// Everything BAT OS writes (the image, its backups, the health file) is its user's alone.
process.umask(0o077);
if (existsSync(ENV_FILE)) process.loadEnvFile(ENV_FILE);
main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
