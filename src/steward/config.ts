/**
 * The steward's configuration, built from an environment map by the entry point (the only
 * place that reads `process.env`).
 */
import path from 'node:path';
import { readSettings, SettingsError, type Env } from '../config/read.ts';
import { MAKE_UPGRADE_KEY, type SettingName } from '../config/settings.ts';
import { isPostgresLocation } from '../core/image/index.ts';
import { defaultHealthFile } from '../core/upgrade/index.ts';

/** Everything the steward needs to know. */
export interface StewardConfig {
  /** Shared HMAC key (BATOS_UPGRADE_KEY). */
  readonly key: string;
  /** The bot's application folder, a git work tree (BATOS_APP_DIR, default: cwd). */
  readonly appDir: string;
  /** The image: its file (default data/live_image.db in the app folder) or PostgreSQL URL. */
  readonly imagePath: string;
  /** The bot's health file (BATOS_HEALTH_FILE, default health.json beside the image). */
  readonly healthFile: string;
  /** The upgrade folder (BATOS_UPGRADE_DIR, default data/upgrades in the app folder). */
  readonly upgradeDir: string;
  /** The bot's pm2 app name (BATOS_PM2_APP, default `batos`). */
  readonly appName: string;
  /** How long a started bot has to report ready (BATOS_READY_TIMEOUT_MS, default 180 s). */
  readonly readyTimeoutMs: number;
  /** Periodic rescan of the request folder (BATOS_STEWARD_RESCAN_MS, default 5 s). */
  readonly rescanMs: number;
  /** How long a request stays valid after it was issued (BATOS_UPGRADE_REQUEST_EXPIRY_MS, default 10 min). */
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
 * Builds the configuration from `env`; throws a {@link SettingsError}: `missing` (with the
 * command that makes a key) if the key is unset, `invalid` naming every bad setting.
 */
export function readStewardConfig(env: Env, cwd: string): StewardConfig {
  const values = readSettings(env, STEWARD_SETTINGS);
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
