/**
 * The fixed command behind each allowed step. Commands are argv arrays run without a shell;
 * the only variable parts are the image path (from configuration) and a validated model id.
 */
import path from 'node:path';
import { InternalError } from '../errors.ts';
import { type UpgradeStep, checkStep } from './steps.ts';

/** A command to run for a step: program, arguments, working folder and time limit. */
export interface StepCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly timeoutMs: number;
}

/** A step that does not apply to this application (no build script, no migrate script). */
export interface SkippedStep {
  readonly skip: string;
}

/** Facts about the application folder, gathered by the caller after the code changed. */
export interface AppFacts {
  /** The application's root folder (a git work tree). */
  readonly dir: string;
  /** Absolute path of the image file, for `migrate`. */
  readonly imagePath: string;
  /** The `scripts` of the application's package.json. */
  readonly scripts: Readonly<Record<string, string>>;
  /** Whether the migrate script exists in the (new) code. */
  readonly hasMigrateScript: boolean;
}

/** Where the image author's migrate entry lives, relative to the application folder. */
export const MIGRATE_SCRIPT = path.join('scripts', 'migrate.ts');

/** Time limits per step; installs and model downloads get long ones. */
export const STEP_TIMEOUTS_MS: Readonly<Record<UpgradeStep['name'], number>> = {
  'git-pull': 2 * 60_000,
  'npm-ci': 15 * 60_000,
  build: 10 * 60_000,
  migrate: 10 * 60_000,
  'pull-model': 60 * 60_000,
};

/**
 * The package.json script that starts the application just far enough to load and check its
 * configuration, then exits (0 when it would start). The steward runs it on a prepared
 * version before it stops the running one.
 */
export const CONFIG_CHECK_SCRIPT = 'check:config';

/** How long the configuration check may take. */
export const CONFIG_CHECK_TIMEOUT_MS = 2 * 60_000;

/** npm and npx; on Windows they are .cmd files, which Node will not run without a shell. */
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/**
 * Maps an allowed step to its command, or says why it is skipped.
 *
 * @throws if the step is not on the allow-list or its arguments are invalid (callers
 *   validate requests first, so this is a last line of defence).
 */
export function resolveStepCommand(step: UpgradeStep, app: AppFacts): StepCommand | SkippedStep {
  const problem = checkStep(step);
  if (problem !== undefined) {
    throw new InternalError(`refusing step: ${problem}`);
  }
  const timeoutMs = STEP_TIMEOUTS_MS[step.name];
  const cwd = app.dir;
  switch (step.name) {
    case 'git-pull':
      // Only fetch: the steward checks out the fetched revision in a second work tree.
      return { file: 'git', args: ['fetch', '--quiet'], cwd, timeoutMs };
    case 'npm-ci':
      return { file: NPM, args: ['ci', '--no-audit', '--no-fund'], cwd, timeoutMs };
    case 'build':
      return 'build' in app.scripts
        ? { file: NPM, args: ['run', 'build'], cwd, timeoutMs }
        : { skip: 'no build script' };
    case 'migrate':
      // --no: never download tsx from the registry in the middle of an upgrade.
      return app.hasMigrateScript
        ? { file: NPX, args: ['--no', 'tsx', MIGRATE_SCRIPT, app.imagePath], cwd, timeoutMs }
        : { skip: `no ${MIGRATE_SCRIPT}` };
    case 'pull-model':
      return { file: NPM, args: ['run', 'models:pull', '--', step.args[0]!], cwd, timeoutMs };
  }
}

/** The configuration check of the application in `app.dir`, or why there is none. */
export function resolveConfigCheck(app: AppFacts): StepCommand | SkippedStep {
  return CONFIG_CHECK_SCRIPT in app.scripts
    ? {
        file: NPM,
        args: ['run', '--silent', CONFIG_CHECK_SCRIPT],
        cwd: app.dir,
        timeoutMs: CONFIG_CHECK_TIMEOUT_MS,
      }
    : { skip: `no ${CONFIG_CHECK_SCRIPT} script` };
}
