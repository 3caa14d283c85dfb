/**
 * What the steward needs to know; src/config/steward-config.ts builds it from the settings
 * table, read by the entry point (the only place that reads `process.env`).
 */

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
