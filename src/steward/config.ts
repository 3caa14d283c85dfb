/**
 * The steward's configuration, built from an environment map by the entry point (the only
 * place that reads `process.env`).
 */
import path from 'node:path';
import {
  DEFAULT_REQUEST_EXPIRY_MS,
  DEFAULT_UPGRADE_DIR,
  assertUsableKey,
  defaultHealthFile,
} from '../core/upgrade/index.ts';

/** Everything the steward needs to know. */
export interface StewardConfig {
  /** Shared HMAC key (BATOS_UPGRADE_KEY). */
  readonly key: string;
  /** The bot's application folder, a git work tree (BATOS_APP_DIR, default: cwd). */
  readonly appDir: string;
  /** The image file (BATOS_IMAGE, default data/live_image.db in the app folder). */
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

const positive = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

/**
 * Builds the configuration from `env`; throws with a clear message if the key is missing.
 */
export function readStewardConfig(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): StewardConfig {
  const key = env.BATOS_UPGRADE_KEY ?? '';
  if (key === '') {
    throw new Error('BATOS_UPGRADE_KEY is not set: the steward cannot verify upgrade requests');
  }
  assertUsableKey(key);
  const appDir = path.resolve(cwd, env.BATOS_APP_DIR ?? '.');
  const childEnv: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && name !== 'BATOS_UPGRADE_KEY') childEnv[name] = value;
  }
  const imagePath = path.resolve(appDir, env.BATOS_IMAGE ?? path.join('data', 'live_image.db'));
  return {
    key,
    appDir,
    imagePath,
    healthFile: path.resolve(appDir, env.BATOS_HEALTH_FILE ?? defaultHealthFile(imagePath)),
    upgradeDir: path.resolve(appDir, env.BATOS_UPGRADE_DIR ?? DEFAULT_UPGRADE_DIR),
    appName: env.BATOS_PM2_APP ?? 'batos',
    readyTimeoutMs: positive(env.BATOS_READY_TIMEOUT_MS, 180_000, 'BATOS_READY_TIMEOUT_MS'),
    rescanMs: positive(env.BATOS_STEWARD_RESCAN_MS, 5_000, 'BATOS_STEWARD_RESCAN_MS'),
    requestExpiryMs: positive(
      env.BATOS_UPGRADE_REQUEST_EXPIRY_MS,
      DEFAULT_REQUEST_EXPIRY_MS,
      'BATOS_UPGRADE_REQUEST_EXPIRY_MS',
    ),
    childEnv,
  };
}
