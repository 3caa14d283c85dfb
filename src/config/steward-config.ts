/** The steward's settings, from the values read out of the table. */
import path from 'node:path';
import { isPostgresLocation } from '../core/image/index.ts';
import { defaultHealthFile } from '../core/upgrade/index.ts';
import { SettingsError, type Env } from './read.ts';
import { MAKE_UPGRADE_KEY, type SettingName, type SettingValues } from './settings.ts';

/**
 * Everything the steward needs to know, built from the settings table by {@link stewardConfig}
 * (the steward's entry point is the only place that reads `process.env`).
 */
export interface StewardConfig {
  /** Shared HMAC key (BATOS_UPGRADE_KEY). */
  readonly key: string;
  /** The bot's application folder, a git work tree (BATOS_APP_DIR). */
  readonly appDir: string;
  /** The image (BATOS_IMAGE): its file, from the app folder, or a PostgreSQL URL. */
  readonly imagePath: string;
  /** The bot's health file (BATOS_HEALTH_FILE). */
  readonly healthFile: string;
  /** The upgrade folder (BATOS_UPGRADE_DIR). */
  readonly upgradeDir: string;
  /** The bot's pm2 app name (BATOS_PM2_APP). */
  readonly appName: string;
  /** How long a started bot has to report ready (BATOS_READY_TIMEOUT_MS). */
  readonly readyTimeoutMs: number;
  /** Periodic rescan of the request folder (BATOS_STEWARD_RESCAN_MS). */
  readonly rescanMs: number;
  /** How long a request stays valid after it was issued (BATOS_UPGRADE_REQUEST_EXPIRY_MS). */
  readonly requestExpiryMs: number;
  /** Environment for step commands: the steward's own, without the key. */
  readonly childEnv: Readonly<Record<string, string>>;
}

/** The settings the steward reads (src/config/settings.ts). */
export const STEWARD_SETTINGS = [
  'BATOS_UPGRADE_KEY',
  'BATOS_APP_DIR',
  'BATOS_IMAGE',
  'BATOS_HEALTH_FILE',
  'BATOS_UPGRADE_DIR',
  'BATOS_PM2_APP',
  'BATOS_READY_TIMEOUT_MS',
  'BATOS_STEWARD_RESCAN_MS',
  'BATOS_UPGRADE_REQUEST_EXPIRY_MS',
] as const satisfies readonly SettingName[];

/**
 * The steward's configuration from `values` (read with {@link STEWARD_SETTINGS}); `env` is
 * handed on to step commands, `cwd` is where relative paths start. Throws with a clear
 * SettingsError `missing` (with the command that makes a key) if the key is missing.
 */
export function stewardConfig(
  values: SettingValues,
  { env, cwd }: { env: Env; cwd: string },
): StewardConfig {
  const key = values.BATOS_UPGRADE_KEY;
  if (key === undefined) {
    const problem = `BATOS_UPGRADE_KEY is not set: the steward cannot verify upgrade requests. Make one with ${MAKE_UPGRADE_KEY} and set it in .env for both apps.`;
    throw new SettingsError('missing', [problem], problem);
  }
  const appDir = path.resolve(cwd, values.BATOS_APP_DIR);
  const childEnv: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && name !== 'BATOS_UPGRADE_KEY') childEnv[name] = value;
  }
  const imagePath = isPostgresLocation(values.BATOS_IMAGE)
    ? values.BATOS_IMAGE
    : path.resolve(appDir, values.BATOS_IMAGE);
  return {
    key,
    appDir,
    imagePath,
    healthFile: path.resolve(appDir, values.BATOS_HEALTH_FILE ?? defaultHealthFile(imagePath)),
    upgradeDir: path.resolve(appDir, values.BATOS_UPGRADE_DIR),
    appName: values.BATOS_PM2_APP,
    readyTimeoutMs: values.BATOS_READY_TIMEOUT_MS,
    rescanMs: values.BATOS_STEWARD_RESCAN_MS,
    requestExpiryMs: values.BATOS_UPGRADE_REQUEST_EXPIRY_MS,
    childEnv,
  };
}
