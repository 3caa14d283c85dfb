/**
 * The steward's state file: which phase of which request, and what is needed to finish or
 * roll back if the steward is killed and started again in the middle of an upgrade.
 */
import { readFile, rm } from 'node:fs/promises';
import {
  type AppVersion,
  type StepOutcome,
  type UpgradeFailure,
  type UpgradeRequest,
  type UpgradeResult,
  writeFileAtomic,
} from '../core/upgrade/index.ts';

/**
 * Phases of an upgrade, in order. The bot serves through `preparing` (the new version is
 * fetched, installed, built and checked in a second work tree); a failure there, or a
 * steward that comes back in it, only discards the preparation (`discarding`). Downtime runs
 * from `stopping` to the end of `starting`. A steward that comes back in `swapping` or in the
 * middle of `migrating` rolls back; in any other phase it carries on.
 */
export type Phase =
  | 'preparing'
  | 'discarding'
  | 'stopping'
  | 'backing-up'
  | 'swapping'
  | 'migrating'
  | 'starting'
  | 'rolling-back'
  | 'finishing';

/** Everything an interrupted upgrade needs to continue. */
export interface StewardState {
  readonly request: UpgradeRequest;
  phase: Phase;
  /** The version that was serving before (the rollback target). */
  readonly from: AppVersion;
  readonly startedAt: string;
  /** pid of the running step's process group, to stop it if the steward died. */
  childPid?: number;
  /** The step that `childPid` runs. */
  running?: string;
  outcomes: StepOutcome[];
  /** The version prepared in the second work tree. */
  target?: AppVersion;
  /** Whether `npm ci` ran in the second work tree (so its node_modules replace the live one). */
  installed?: boolean;
  /**
   * Set before the live node_modules is moved aside for the prepared one, so a rollback
   * knows to put back what was there (or that nothing was).
   */
  modulesSwapped?: { readonly hadModules: boolean };
  /** Fingerprint of the image right after the backup. */
  backupFingerprint?: string;
  /** When the bot was stopped (ms since the epoch): the start of the downtime. */
  stoppedAt?: number;
  failure?: UpgradeFailure;
  imageRestored?: boolean;
  /** The final result, once known (written out in `finishing`). */
  result?: UpgradeResult;
}

/** Saves the state atomically. */
export async function saveState(file: string, state: StewardState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Loads the state, or `undefined` when no upgrade was in progress. */
export async function loadState(file: string): Promise<StewardState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as StewardState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Removes the state file: no upgrade in progress. */
export async function clearState(file: string): Promise<void> {
  await rm(file, { force: true });
}
