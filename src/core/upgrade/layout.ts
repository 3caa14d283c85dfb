/**
 * Where everything of the upgrade channel lives, under one folder (default `data/upgrades`),
 * and where the health file lives (beside the image).
 */
import path from 'node:path';

/** The upgrade folder's layout. */
export interface UpgradeLayout {
  /** Where the bot drops signed requests. */
  readonly requests: string;
  /** Requests the steward has taken on. */
  readonly claimed: string;
  /** Malformed, unsigned or forged requests, with a `.reason.txt` beside each. */
  readonly rejected: string;
  /** Result files for the bot to report. */
  readonly results: string;
  /** Image backups, one folder per request. */
  readonly backups: string;
  /** Full step logs, one folder per request. */
  readonly logs: string;
  /** The steward's own state file (which phase of which request). */
  readonly state: string;
  /** Request ids the steward has taken, with their expiry: refuses replays. */
  readonly seen: string;
  /** The second work tree where the next version is prepared while the bot serves. */
  readonly staging: string;
  /** The dependencies a swap replaced, kept until the upgrade is over (for a rollback). */
  readonly previousModules: string;
  /** The build output (`dist/`) a swap replaced, kept until the upgrade is over. */
  readonly previousBuild: string;
}

/** The default upgrade folder, relative to the application folder. */
export const DEFAULT_UPGRADE_DIR = path.join('data', 'upgrades');

/** The layout under `dir`. */
export function upgradeLayout(dir: string): UpgradeLayout {
  return {
    requests: path.join(dir, 'requests'),
    claimed: path.join(dir, 'claimed'),
    rejected: path.join(dir, 'rejected'),
    results: path.join(dir, 'results'),
    backups: path.join(dir, 'backups'),
    logs: path.join(dir, 'logs'),
    state: path.join(dir, 'steward-state.json'),
    seen: path.join(dir, 'steward-seen.json'),
    staging: path.join(dir, 'staging'),
    previousModules: path.join(dir, 'previous-node_modules'),
    previousBuild: path.join(dir, 'previous-dist'),
  };
}

/**
 * The folder for BAT OS's own files (health file, backups, console history): beside a
 * SQLite image, or `data/` when the image is a PostgreSQL database.
 */
export function dataFolder(imageLocation: string): string {
  return /^postgres(ql)?:\/\//i.test(imageLocation) ? 'data' : path.dirname(imageLocation);
}

/**
 * Where the bot writes its health file unless configured otherwise (BATOS_HEALTH_FILE):
 * in the data folder. Bot and steward must agree on it.
 */
export function defaultHealthFile(imageLocation: string): string {
  return path.join(dataFolder(imageLocation), 'health.json');
}
