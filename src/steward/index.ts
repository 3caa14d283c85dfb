/**
 * The steward: a separate program (pm2 app `batos-steward`) that upgrades the bot on signed
 * requests and rolls back on failure. Entry point: `main.ts`.
 */
export { type AppControl, connectPm2 } from './app-control.ts';
export type { StewardConfig } from '../config/steward-config.ts';
export { type Claim, type InboxReports, type InboxRules, claimNext } from './inbox.ts';
export { type OpenedMemory, type ReplayMemory, openReplayMemory } from './replay-memory.ts';
export { backupImage, fingerprintImage, restoreImage, pruneBackups } from './image-backup.ts';
export { type Readiness, type ReadyWait, waitForReady } from './readiness.ts';
export { type CommandRun, runCommand, killTree, lastLines } from './run-command.ts';
export { type Phase, type StewardState, loadState, saveState, clearState } from './state.ts';
export { type UpgradeDeps, UpgradeRunner } from './upgrade.ts';
export { Steward } from './steward.ts';
export { type WorkTree, workTree } from './git.ts';
