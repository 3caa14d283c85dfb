/**
 * Everything the steward needs to know. src/config/steward-config.ts builds it from the
 * settings table, read by the entry point (the only place that reads `process.env`).
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
