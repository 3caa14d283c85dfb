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
 * Phases of an upgrade, in order. A steward that comes back in `running-steps` rolls back
 * (a half-run step leaves unknown effects); in any other phase it carries on.
 */
export type Phase =
  'stopping' | 'backing-up' | 'running-steps' | 'starting' | 'rolling-back' | 'finishing';

/** Everything an interrupted upgrade needs to continue. */
export interface StewardState {
  readonly request: UpgradeRequest;
  phase: Phase;
  /** The version that was serving before (the rollback target). */
  readonly from: AppVersion;
  readonly startedAt: string;
  /** Hash of package-lock.json before any step ran. */
  readonly lockHash: string | null;
  /** Index of the step running (or next to run). */
  stepIndex: number;
  /** pid of the running step's process group, to stop it if the steward died. */
  childPid?: number;
  outcomes: StepOutcome[];
  /** Fingerprint of the image right after the backup. */
  backupFingerprint?: string;
  /** Set when `npm ci` started: the lock it installed and whether it finished. */
  npmCi?: { lockHash: string | null; done: boolean };
  /** The version the steps produced. */
  target?: AppVersion;
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
