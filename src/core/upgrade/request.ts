/**
 * The upgrade request: what the bot writes and the steward carries out.
 */
import { randomBytes } from 'node:crypto';
import { InternalError } from '../errors.ts';
import { type UpgradeStep, checkStep } from './steps.ts';

/** A version of the application: package.json version plus git revision (full hash). */
export interface AppVersion {
  readonly version: string;
  readonly revision: string;
}

/** Who asked for the upgrade. */
export interface Requester {
  readonly platform: string;
  readonly id: string;
  readonly name: string;
}

/** Where the result is to be reported when the bot is back. */
export interface ReportTarget {
  readonly platform: string;
  readonly channel: string;
  readonly thread?: string;
}

/** One upgrade request, as written into the request folder (inside a signed envelope). */
export interface UpgradeRequest {
  /** `u-<n>` or `u-` plus a short random; also the file name, so strictly shaped. */
  readonly id: string;
  /** ISO 8601 time of the request. */
  readonly requestedAt: string;
  readonly requester: Requester;
  readonly reportTo: ReportTarget;
  readonly steps: readonly UpgradeStep[];
  /** The version the bot was running when asked (the steward measures again itself). */
  readonly fromVersion: AppVersion;
  /** Plan only: nothing is stopped or changed. */
  readonly dryRun: boolean;
}

/** Request ids are file names: lower-case letters, digits and dashes only. */
export const REQUEST_ID_PATTERN = /^u-[a-z0-9][a-z0-9-]{0,39}$/;

/** How long a request is valid by default: long enough to wait behind one upgrade, not days. */
export const DEFAULT_REQUEST_EXPIRY_MS = 10 * 60_000;

/** Requests dated further ahead than this are refused (bot and steward share one clock). */
export const MAX_CLOCK_SKEW_MS = 60_000;

/** When `request` stops being acceptable (ms since the epoch), `expiryMs` after it was issued. */
export function requestExpiresAt(request: UpgradeRequest, expiryMs: number): number {
  return Date.parse(request.requestedAt) + expiryMs;
}

/** Why `request` is not fresh at `now`, or `undefined` when it is. */
export function requestStaleness(
  request: UpgradeRequest,
  now: number,
  expiryMs: number,
): string | undefined {
  if (now >= requestExpiresAt(request, expiryMs)) {
    return `expired: issued ${request.requestedAt}, and a request is valid for ${Math.round(expiryMs / 1000)} s; ask again`;
  }
  if (Date.parse(request.requestedAt) > now + MAX_CLOCK_SKEW_MS) {
    return `issued in the future (${request.requestedAt}); check the clock`;
  }
  return undefined;
}

/** What the caller supplies to {@link createUpgradeRequest}. */
export interface UpgradeRequestInput {
  readonly steps: readonly UpgradeStep[];
  readonly requester: Requester;
  readonly reportTo: ReportTarget;
  readonly fromVersion: AppVersion;
  readonly dryRun?: boolean;
  /** Defaults to `u-` plus 6 random hex digits. */
  readonly id?: string;
  /** Defaults to now. */
  readonly now?: Date;
}

/**
 * Builds a request and checks it; throws if a step or the id is not acceptable.
 */
export function createUpgradeRequest(input: UpgradeRequestInput): UpgradeRequest {
  const request: UpgradeRequest = {
    id: input.id ?? `u-${randomBytes(3).toString('hex')}`,
    requestedAt: (input.now ?? new Date()).toISOString(),
    requester: { ...input.requester },
    reportTo: { ...input.reportTo },
    steps: input.steps.map((s) => ({ name: s.name, args: [...s.args] })),
    fromVersion: { ...input.fromVersion },
    dryRun: input.dryRun ?? false,
  };
  const checked = parseUpgradeRequest(request);
  if (!checked.ok) {
    throw new InternalError(`invalid upgrade request: ${checked.reason}`);
  }
  return checked.request;
}

type Checked<T> =
  { readonly ok: true; readonly request: T } | { readonly ok: false; readonly reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short non-empty string (every text field of a request is one). */
const isText = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= 200;

/**
 * Checks that an untrusted value (parsed JSON) has exactly the shape of a request and that
 * every step is allowed. Returns a fresh, clean copy.
 */
export function parseUpgradeRequest(value: unknown): Checked<UpgradeRequest> {
  const fail = (reason: string): Checked<UpgradeRequest> => ({ ok: false, reason });
  if (!isRecord(value)) return fail('not an object');
  const { id, requestedAt, requester, reportTo, steps, fromVersion, dryRun } = value;
  if (typeof id !== 'string' || !REQUEST_ID_PATTERN.test(id)) return fail('bad id');
  if (typeof requestedAt !== 'string' || Number.isNaN(Date.parse(requestedAt))) {
    return fail('bad requestedAt');
  }
  if (!isRecord(requester) || !isText(requester.platform) || !isText(requester.id)) {
    return fail('bad requester');
  }
  if (typeof requester.name !== 'string' || requester.name.length > 200) {
    return fail('bad requester name');
  }
  if (!isRecord(reportTo) || !isText(reportTo.platform) || !isText(reportTo.channel)) {
    return fail('bad reportTo');
  }
  if (reportTo.thread !== undefined && !isText(reportTo.thread)) return fail('bad reportTo.thread');
  if (!isRecord(fromVersion) || !isText(fromVersion.version) || !isText(fromVersion.revision)) {
    return fail('bad fromVersion');
  }
  if (typeof dryRun !== 'boolean') return fail('bad dryRun');
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > 8) return fail('bad steps');
  const cleanSteps: UpgradeStep[] = [];
  for (const step of steps as unknown[]) {
    if (!isRecord(step) || typeof step.name !== 'string' || !Array.isArray(step.args)) {
      return fail('bad step');
    }
    const problem = checkStep({ name: step.name, args: step.args as unknown[] });
    if (problem !== undefined) return fail(problem);
    cleanSteps.push({ name: step.name as UpgradeStep['name'], args: [...(step.args as string[])] });
  }
  return {
    ok: true,
    request: {
      id,
      requestedAt,
      requester: { platform: requester.platform, id: requester.id, name: requester.name },
      reportTo: {
        platform: reportTo.platform,
        channel: reportTo.channel,
        ...(reportTo.thread === undefined ? {} : { thread: reportTo.thread }),
      },
      steps: cleanSteps,
      fromVersion: { version: fromVersion.version, revision: fromVersion.revision },
      dryRun,
    },
  };
}
