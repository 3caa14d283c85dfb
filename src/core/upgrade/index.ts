/**
 * The upgrade contract shared by the bot and the steward: the allow-list of steps, the
 * signed request channel, result files and the health file. No environment reads here:
 * callers pass folders and the key in.
 */
export {
  type StepName,
  type UpgradeStep,
  STEP_NAMES,
  DEFAULT_STEPS,
  MODEL_ID_PATTERN,
} from './steps.ts';
export {
  isModelId,
  isStepName,
  checkStep,
  orderSteps,
  formatStep,
  describeAllowList,
} from './steps.ts';
export { type ParsedUpgradeCommand, parseUpgradeCommand } from './command-text.ts';
export {
  type AppVersion,
  type Requester,
  type ReportTarget,
  type UpgradeRequest,
  type UpgradeRequestInput,
  REQUEST_ID_PATTERN,
  DEFAULT_REQUEST_EXPIRY_MS,
  MAX_CLOCK_SKEW_MS,
  requestExpiresAt,
  requestStaleness,
  createUpgradeRequest,
  parseUpgradeRequest,
} from './request.ts';
export {
  MIN_KEY_LENGTH,
  assertUsableKey,
  canonicalJson,
  signPayload,
  verifyPayload,
} from './signature.ts';
export { TEMP_PREFIX, writeFileAtomic } from './atomic-write.ts';
export {
  type BoundedRead,
  type ReadLimits,
  MAX_CHANNEL_FILE_BYTES,
  CHANNEL_READ_TIMEOUT_MS,
  readBoundedFile,
} from './bounded-read.ts';
export {
  type SignedRequestFile,
  type ReadRequestResult,
  type OpenedEnvelope,
  isRequestFileName,
  openSignedEnvelope,
  writeUpgradeRequest,
  readUpgradeRequestFile,
} from './channel.ts';
export {
  type StepCommand,
  type SkippedStep,
  type AppFacts,
  MIGRATE_SCRIPT,
  CONFIG_CHECK_SCRIPT,
  CONFIG_CHECK_TIMEOUT_MS,
  STEP_TIMEOUTS_MS,
  resolveStepCommand,
  resolveConfigCheck,
} from './commands.ts';
export {
  type StepOutcome,
  type UpgradeFailure,
  type UpgradeResult,
  type SignedResultFile,
  type ReadResultFile,
  REFUSED_RESULTS,
  writeUpgradeResult,
  readUpgradeResultFile,
  takeUpgradeResults,
} from './result.ts';
export { formatVersion, describeUpgradePlan, formatUpgradeResult } from './format.ts';
export { type HealthInfo, writeHealthFile, readHealthFile } from './health.ts';
export {
  type UpgradeLayout,
  DEFAULT_UPGRADE_DIR,
  upgradeLayout,
  dataFolder,
  defaultHealthFile,
} from './layout.ts';
export { readAppVersion, readPackageVersion } from './version.ts';
