/**
 * The checks before anything loads: the settings' files (the image path, the model, the LoRA
 * folder, who may read `.env` and the image), the health port, and a login to each
 * configured chat platform. `npm start -- --check` runs exactly these and stops; a start runs
 * them first and gives up with one line per problem instead of failing late or retrying
 * forever, so `--check` predicts a start. Nothing here writes: the one file made (to learn
 * whether the image's folder takes new files) is removed at once.
 */
import { accessSync, closeSync, constants, openSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { DiscordConfig } from './adapters/discord/index.ts';
import type { SlackConfig } from './adapters/slack/index.ts';
import { exposedFiles } from './config/file-modes.ts';
import type { LoginCheck } from './adapters/chat/index.ts';
import { ImageError } from './core/errors.ts';
import { EXIT } from './start-refusal.ts';
import {
  isPostgresLocation,
  probePostgres,
  redactedLocation,
  refuseNonDatabase,
} from './core/image/index.ts';
import type { MindConfig } from './core/mind/index.ts';
import { checkEmbeddingModel as embeddingModelFile } from './core/mind/embedding-model.ts';
import { MindError } from './core/mind/errors.ts';
import { validateModelFile } from './core/mind/gguf/validate.ts';
import { howToGetAModel, resolveModelPath } from './core/mind/model-source.ts';

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
  /** The embedding model's path (BATOS_EMBEDDING_MODEL), when one is set. */
  readonly embeddingModel?: string | undefined;
  /** The personas' adapters (BATOS_LORA_DIR). */
  readonly loraDir: string;
  /** The `.env` file the settings were read from, whether or not it exists. */
  readonly envFile: string;
  /** What a file others may read is (BATOS_FILE_CHECK): a problem, or a warning. */
  readonly fileCheck: 'refuse' | 'warn';
  /** Where the health endpoint is to listen (BATOS_HEALTH_HOST, BATOS_HEALTH_PORT), if at all. */
  readonly health: { readonly host: string; readonly port: number } | undefined;
  /** Where the image browser is to listen (BATOS_BROWSER_HOST, BATOS_BROWSER_PORT), if at all. */
  readonly browser?: { readonly host: string; readonly port: number } | undefined;
  readonly discord: DiscordConfig | undefined;
  readonly slack: SlackConfig | undefined;
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

/** Makes and removes a file in `dir`: why it cannot be made there, or `undefined`. */
function probeNewFile(dir: string): string | undefined {
  const probe = join(dir, `.batos-check-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  }
  rmSync(probe, { force: true });
  return undefined;
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
    if (image !== undefined) {
      accessSync(file, constants.R_OK | constants.W_OK);
      refuseNonDatabase(file);
    }
    // SQLite makes the image and its -wal and -shm files beside it: some folders (/proc, a
    // read-only mount seen as root) pass access() and still take no file.
    const refused = probeNewFile(existing.path);
    if (refused !== undefined)
      return problem(
        `the folder ${existing.path} takes no new files (${refused}); set BATOS_IMAGE to a file in a folder you own`,
      );
  } catch (error) {
    if (error instanceof ImageError) return problem(error.message.replace(/\.$/u, ''));
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

/**
 * Whether the model is on disk and is a GGUF file llama.cpp can take; never downloads.
 * Without one BAT OS serves all that needs no model, so a missing model is a warning.
 */
export async function checkModel(mind: MindConfig): Promise<Finding> {
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
      status: 'warning',
      variable,
      line: `${variable}=${JSON.stringify(mind.model)}: ${reason}${advice}`,
    };
  }
}

/**
 * Whether the embedding model is on disk and is a GGUF file llama.cpp can take; never
 * downloads. It was asked for, so unlike the chat model's a missing one stops the start.
 */
export async function checkEmbeddingModel(model: string): Promise<Finding> {
  const variable = 'BATOS_EMBEDDING_MODEL';
  try {
    const { path } = await embeddingModelFile(model);
    return { status: 'ok', variable, line: `embedding model: ${path}` };
  } catch (error) {
    const reason = error instanceof MindError ? error.message : String(error);
    return {
      status: 'problem',
      variable,
      line: `${variable}=${JSON.stringify(model)}: ${reason} Set it to the path of a GGUF embedding model, or unset it to recall by full-text search alone.`,
    };
  }
}

/** Whether the personas' adapter folder is there: without it they speak in the base model's voice. */
export function checkLoraDir(loraDir: string): Finding {
  const variable = 'BATOS_LORA_DIR';
  if (statSync(loraDir, { throwIfNoEntry: false })?.isDirectory())
    return { status: 'ok', variable, line: `persona adapters: ${resolve(loraDir)}` };
  return {
    status: 'warning',
    variable,
    line: `${variable}=${JSON.stringify(loraDir)}: no such folder, so the personas speak without their adapters; set it to the folder of persona .gguf adapters (npm run forge writes test ones), or unset it for lora/.`,
  };
}

/**
 * Whether `.env` and a SQLite image (with its -wal and -shm files) are private to their
 * owner: each one others may read is named with the chmod that fixes it.
 */
export function checkFileModes(input: {
  readonly envFile: string;
  readonly imageLocation: string;
  readonly fileCheck: 'refuse' | 'warn';
}): Finding[] {
  const image = isPostgresLocation(input.imageLocation)
    ? []
    : ['', '-wal', '-shm'].map((suffix) => resolve(`${input.imageLocation}${suffix}`));
  const envFile = resolve(input.envFile);
  const refuse = input.fileCheck === 'refuse';
  return exposedFiles([envFile, ...image]).map((file) => {
    const what =
      file.path === envFile
        ? `${file.path} holds the settings' secrets`
        : `BATOS_IMAGE: ${file.path} holds everyone's objects and private threads`;
    const then = refuse
      ? `make it yours alone: ${file.fix} (or set BATOS_FILE_CHECK=warn to start anyway)`
      : `BAT OS starts anyway (BATOS_FILE_CHECK=warn); make it yours alone: ${file.fix}`;
    return {
      status: refuse ? 'problem' : 'warning',
      variable: file.path === envFile ? 'BATOS_FILE_CHECK' : 'BATOS_IMAGE',
      line: `${what}, and other users may read it (mode ${file.mode}); ${then}`,
    };
  });
}

/** Whether the health endpoint (or the image browser) can listen where it is told to. */
export async function checkHealthPort(
  health: { host: string; port: number },
  variable: 'BATOS_HEALTH_PORT' | 'BATOS_BROWSER_PORT' = 'BATOS_HEALTH_PORT',
): Promise<Finding> {
  const what = variable === 'BATOS_HEALTH_PORT' ? 'health endpoint' : 'image browser';
  const server = createServer();
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(health.port, health.host, done);
    });
  } catch (error) {
    return {
      status: 'problem',
      variable,
      line: `${variable}=${health.port}: cannot listen on ${health.host} (${(error as Error).message}); choose a free port, or unset it.`,
    };
  } finally {
    await new Promise((done) => server.close(done));
  }
  return { status: 'ok', variable, line: `${what}: ${health.host}:${health.port} is free` };
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

/** Runs every check, the same for `--check` and a start; logins run side by side. */
export async function preflight(input: PreflightInput): Promise<Finding[]> {
  const parsed = checkImagePath(input.imageLocation, input.imageSet);
  const files = checkFileModes(input);
  const [image, model, ...others] = await Promise.all([
    parsed.status === 'ok' && isPostgresLocation(input.imageLocation)
      ? checkPostgresImage(input.imageLocation)
      : parsed,
    checkModel(input.mind),
    ...(input.embeddingModel ? [checkEmbeddingModel(input.embeddingModel)] : []),
    ...(input.health ? [checkHealthPort(input.health)] : []),
    ...(input.browser ? [checkHealthPort(input.browser, 'BATOS_BROWSER_PORT')] : []),
    // discord.js and Bolt load only to check a login that is configured.
    ...(input.discord
      ? [
          import('./adapters/discord/index.ts')
            .then(({ checkDiscordLogin }) => checkDiscordLogin(input.discord!))
            .then((c) => fromLogin(c, 'DISCORD_TOKEN')),
        ]
      : []),
    ...(input.slack
      ? [
          import('./adapters/slack/index.ts')
            .then(({ checkSlackTokens }) => checkSlackTokens(input.slack!))
            .then((c) => fromLogin(c, 'SLACK_BOT_TOKEN')),
        ]
      : []),
  ]);
  return [image!, ...files, model!, checkLoraDir(input.loraDir), ...others];
}
