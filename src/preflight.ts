/**
 * The checks before anything loads: the image path, the model file, and a login to each
 * configured chat platform. `npm start -- --check` runs them and stops; a normal start runs
 * them first and gives up with one line per problem instead of failing late or retrying
 * forever. Nothing here creates or writes a file.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkDiscordLogin, type DiscordConfig } from './adapters/discord/index.ts';
import { checkSlackTokens, type SlackConfig } from './adapters/slack/index.ts';
import type { LoginCheck } from './config/login-check.ts';
import { isPostgresLocation, probePostgres, redactedLocation } from './core/image/index.ts';
import {
  howToGetAModel,
  MindError,
  resolveModelPath,
  validateModelFile,
  type MindConfig,
} from './core/mind/index.ts';

/**
 * Exit codes: a wrong setting (78, EX_CONFIG: pm2 does not restart on it), a platform that
 * did not answer (69, EX_UNAVAILABLE: worth a later try), bad usage (2).
 */
export const EXIT = { config: 78, unavailable: 69, usage: 2 } as const;

/** The exit code for problems found: 69 when every one may pass by itself, else 78. */
export function exitFor(problems: readonly Finding[]): number {
  return problems.every((p) => p.transient === true) ? EXIT.unavailable : EXIT.config;
}

/** One thing found: fine, a problem that stops the start, or a warning that does not. */
export interface Finding {
  readonly status: 'ok' | 'problem' | 'warning';
  /** The variable it is about. */
  readonly variable: string;
  /** One line, naming the variable and, for problems, the fix. */
  readonly line: string;
  /** A problem that may pass by itself (a platform unreachable), rather than a wrong setting. */
  readonly transient?: boolean;
}

/** What the checks look at. */
export interface PreflightInput {
  /** A SQLite file or a PostgreSQL URL (BATOS_IMAGE). */
  readonly imageLocation: string;
  /** Whether BATOS_IMAGE was set: only the default folder (data/) is made when missing. */
  readonly imageSet: boolean;
  readonly mind: MindConfig;
  readonly discord: DiscordConfig | undefined;
  readonly slack: SlackConfig | undefined;
  /** Whether a missing or unusable model is a problem (`--check`) or a warning (a start). */
  readonly modelRequired: boolean;
}

const isCode = (error: unknown, ...codes: string[]): boolean =>
  codes.includes((error as { code?: unknown }).code as string);

/** The nearest existing folder at or above `dir`, or the ordinary file that blocks the way. */
function nearestExisting(dir: string): { path: string; isDirectory: boolean } {
  for (let at = dir; ; at = dirname(at)) {
    try {
      return { path: at, isDirectory: statSync(at).isDirectory() };
    } catch (error) {
      if (!isCode(error, 'ENOENT', 'ENOTDIR') || dirname(at) === at) throw error;
    }
  }
}

/**
 * Whether the image can be opened at `imageLocation` without creating anything unasked. A
 * PostgreSQL URL is only parsed here; {@link checkPostgresImage} connects to it.
 */
export function checkImagePath(imageLocation: string, imageSet: boolean): Finding {
  const variable = 'BATOS_IMAGE';
  if (isPostgresLocation(imageLocation)) {
    if (URL.canParse(imageLocation))
      return { status: 'ok', variable, line: `image: ${redactedLocation(imageLocation)}` };
    return {
      status: 'problem',
      variable,
      line: `${variable} looks like a PostgreSQL URL but does not parse; write it as postgres://user:password@host:5432/database.`,
    };
  }
  const imagePath = imageLocation;
  const problem = (text: string): Finding => ({
    status: 'problem',
    variable,
    line: `${variable}=${JSON.stringify(imagePath)}: ${text}.`,
  });
  const file = resolve(imagePath);
  const folder = dirname(file);
  try {
    const existing = nearestExisting(folder);
    if (!existing.isDirectory)
      return problem(
        `${existing.path} is an ordinary file, not a folder; set BATOS_IMAGE to a file in a folder`,
      );
    if (existing.path !== folder && imageSet)
      return problem(
        `the folder ${folder} does not exist; create it (mkdir -p ${folder}) or set BATOS_IMAGE to a file in an existing folder`,
      );
    accessSync(existing.path, constants.W_OK | constants.X_OK);
    const image = statSync(file, { throwIfNoEntry: false });
    if (image?.isDirectory())
      return problem('that is a folder; set BATOS_IMAGE to a file path such as data/live_image.db');
    if (image !== undefined) accessSync(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    if (isCode(error, 'EACCES', 'EPERM', 'EROFS'))
      return problem(
        `permission denied (${(error as Error).message}); run BAT OS as a user who may write there, or set BATOS_IMAGE to a file in a folder you own`,
      );
    return problem((error as Error).message);
  }
  return { status: 'ok', variable, line: `image: ${file}` };
}

/** Whether the PostgreSQL server holding the image answers a login. */
export async function checkPostgresImage(url: string): Promise<Finding> {
  const variable = 'BATOS_IMAGE';
  const error = await probePostgres(url);
  if (error === undefined)
    return { status: 'ok', variable, line: `image: ${redactedLocation(url)} (PostgreSQL answers)` };
  return {
    status: 'problem',
    variable,
    line: `${variable}: ${error.message}`,
    transient: error.code === 'unavailable',
  };
}

/** Whether the model is on disk and is a GGUF file llama.cpp can take; never downloads. */
export async function checkModel(mind: MindConfig, required: boolean): Promise<Finding> {
  if (mind.servers !== undefined && mind.servers.length > 0)
    return {
      status: 'ok',
      variable: 'BATOS_MIND_URL',
      line: `mind: served by ${mind.servers.join(', ')} (checked when BAT OS connects)`,
    };
  const variable = 'BATOS_MODEL';
  try {
    const path = await resolveModelPath(mind.model, mind.modelsDir, { download: false });
    await validateModelFile(path);
    return { status: 'ok', variable, line: `model: ${path}` };
  } catch (error) {
    const reason = error instanceof MindError ? error.message : String(error);
    const advice = reason.includes('npm run models:pull')
      ? ''
      : ` ${howToGetAModel(mind.model, mind.modelsDir)}`;
    return {
      status: required ? 'problem' : 'warning',
      variable,
      line: `${variable}=${JSON.stringify(mind.model)}: ${reason}${advice}`,
    };
  }
}

const fromLogin = (check: LoginCheck, variable: string): Finding =>
  check.ok
    ? { status: 'ok', variable, line: check.detail }
    : {
        status: 'problem',
        variable: check.variable,
        line: check.problem,
        transient: check.unreachable,
      };

/** Runs every check; logins run side by side. */
export async function preflight(input: PreflightInput): Promise<Finding[]> {
  const parsed = checkImagePath(input.imageLocation, input.imageSet);
  const [image, model, ...logins] = await Promise.all([
    parsed.status === 'ok' && isPostgresLocation(input.imageLocation)
      ? checkPostgresImage(input.imageLocation)
      : parsed,
    checkModel(input.mind, input.modelRequired),
    ...(input.discord
      ? [checkDiscordLogin(input.discord).then((c) => fromLogin(c, 'DISCORD_TOKEN'))]
      : []),
    ...(input.slack
      ? [checkSlackTokens(input.slack).then((c) => fromLogin(c, 'SLACK_BOT_TOKEN'))]
      : []),
  ]);
  return [image!, model!, ...logins];
}
