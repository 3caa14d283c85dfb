/**
 * Result files: what the steward leaves for the bot to report once it is back.
 * `<results>/<id>.json` is pending (a signed envelope, like requests); after reporting it
 * moves to `<results>/reported/`, and a refused file to `<results>/refused/`.
 */
import { lstat, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../errors.ts';
import { ensurePrivateDir } from '../private-files.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { openSignedEnvelope } from './channel.ts';
import type { AppVersion, ReportTarget, Requester } from './request.ts';
import { signPayload } from './signature.ts';
import type { UpgradeStep } from './steps.ts';

/** How one step went. */
export interface StepOutcome {
  readonly name: string;
  readonly args: readonly string[];
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly durationMs: number;
  /** Why it was skipped or how it failed. */
  readonly note?: string;
}

/**
 * Where an upgrade failed. `step` is a step name, or one of the steward's own phases:
 * `preflight`, `stop`, `backup`, `start`, `ready`, `interrupted`.
 */
export interface UpgradeFailure {
  readonly step: string;
  readonly reason: string;
  /** The last lines of the step's output. */
  readonly logTail: string;
}

/** The outcome of one request. */
export interface UpgradeResult {
  readonly id: string;
  readonly ok: boolean;
  readonly dryRun: boolean;
  readonly requester: Requester;
  readonly reportTo: ReportTarget;
  readonly steps: readonly UpgradeStep[];
  readonly outcomes: readonly StepOutcome[];
  readonly failure?: UpgradeFailure;
  /** Whether the code (and, if it had changed, the image) was put back. */
  readonly rolledBack: boolean;
  /** When rolled back: whether the old version came back ready. */
  readonly rollbackOk?: boolean;
  /** Why the rollback itself failed, if it did. */
  readonly rollbackFailure?: string;
  /** Whether the image file was restored from the backup taken before the steps. */
  readonly imageRestored: boolean;
  readonly from: AppVersion;
  /** The version serving now (equal to `from` after a rollback or a dry run). */
  readonly to: AppVersion;
  /** Object count reported by the bot's health file once ready, if known. */
  readonly objects: number | null;
  /**
   * How long the bot was not serving: from the stop until the new (or, after a rollback,
   * the old) version was ready. Absent when the bot was never stopped.
   */
  readonly downtimeMs?: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** The signed envelope of a result file. */
export interface SignedResultFile {
  readonly format: 1;
  readonly result: UpgradeResult;
  readonly signature: string;
}

/**
 * Signs `result` with the shared key and writes it atomically as `<dir>/<id>.json`, so the
 * bot announces only what the steward wrote.
 */
export async function writeUpgradeResult(
  dir: string,
  result: UpgradeResult,
  key: string,
): Promise<string> {
  const file = path.join(dir, `${result.id}.json`);
  const envelope: SignedResultFile = { format: 1, result, signature: signPayload(result, key) };
  await writeFileAtomic(file, `${JSON.stringify(envelope, null, 2)}\n`);
  return file;
}

/** Outcome of reading a result file. */
export type ReadResultFile =
  | { readonly ok: true; readonly result: UpgradeResult }
  | { readonly ok: false; readonly reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isVersion = (v: unknown): boolean =>
  isRecord(v) && typeof v.version === 'string' && typeof v.revision === 'string';

/** Whether a (signed) value has every field the report needs, so rendering cannot break. */
function resultShapeProblem(v: Record<string, unknown>): string | undefined {
  const texts = ['id', 'startedAt', 'finishedAt'] as const;
  const flags = ['ok', 'dryRun', 'rolledBack', 'imageRestored'] as const;
  if (texts.some((k) => typeof v[k] !== 'string')) return 'bad id or times';
  if (flags.some((k) => typeof v[k] !== 'boolean')) return 'bad flags';
  const { reportTo, outcomes, failure, objects } = v;
  if (!isRecord(reportTo) || typeof reportTo.platform !== 'string') return 'bad reportTo';
  if (typeof reportTo.channel !== 'string') return 'bad reportTo';
  if (!isVersion(v.from) || !isVersion(v.to)) return 'bad versions';
  if (!Array.isArray(outcomes) || !outcomes.every(isRecord)) return 'bad outcomes';
  if (objects !== null && typeof objects !== 'number') return 'bad object count';
  if (v.ok === false && !v.dryRun) {
    if (!isRecord(failure) || typeof failure.step !== 'string') return 'bad failure';
    if (typeof failure.reason !== 'string' || typeof failure.logTail !== 'string')
      return 'bad failure';
  }
  return undefined;
}

/**
 * Reads and checks one result file: a regular file of bounded size, signed with `key`, with
 * the shape of a result, named after its id. Never throws for bad content.
 */
export async function readUpgradeResultFile(file: string, key: string): Promise<ReadResultFile> {
  const opened = await openSignedEnvelope(file, 'result', key);
  if (!opened.ok) return opened;
  const { payload } = opened;
  if (!isRecord(payload)) return { ok: false, reason: 'signed but malformed: not an object' };
  const problem = resultShapeProblem(payload);
  if (problem !== undefined) return { ok: false, reason: `signed but malformed: ${problem}` };
  if (`${String(payload.id)}.json` !== path.basename(file)) {
    return { ok: false, reason: 'file name does not match the result id' };
  }
  return { ok: true, result: payload as unknown as UpgradeResult };
}

/** Where refused result files go, with a `.reason.txt` beside each. */
export const REFUSED_RESULTS = 'refused';

/** Where announced result files go: a result there is never announced again. */
const REPORTED = 'reported';

/**
 * Why the result file `name` is a copy of one announced already (moved back from
 * `reported/`: a replay), or `undefined`.
 */
async function announcedAlready(dir: string, name: string): Promise<string | undefined> {
  const announced = await lstat(path.join(dir, REPORTED, name)).then(
    () => true,
    () => false,
  );
  return announced
    ? `already announced: a copy of ${REPORTED}/${name}; not announced again`
    : undefined;
}

/**
 * Hands every pending result that is signed with `key` and well formed to `report`, oldest
 * first, and marks each reported (moves it to `reported/`) only after `report` resolved, so
 * a crash mid-report reports again rather than never. A file that is unsigned, forged,
 * malformed, too large, not a regular file, or a copy of one in `reported/` (a replay) is
 * never reported: it moves to `refused/` with its reason and `onRefused` is told, while the
 * others go on. A result whose report throws stays pending, and an {@link OperatorError} naming each
 * such result and why is thrown at the end.
 *
 * @returns the results that were reported.
 */
export async function takeUpgradeResults(
  dir: string,
  key: string,
  report: (result: UpgradeResult) => Promise<void>,
  onRefused: (file: string, reason: string) => void,
): Promise<UpgradeResult[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const pending: UpgradeResult[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const read = await readUpgradeResultFile(file, key).catch((error: unknown) => ({
      ok: false as const,
      reason: `unreadable: ${error instanceof Error ? error.message : String(error)}`,
    }));
    const reason = read.ok ? await announcedAlready(dir, name) : read.reason;
    if (reason === undefined) {
      if (read.ok) pending.push(read.result);
      continue;
    }
    await setAside(dir, name, reason);
    onRefused(file, reason);
  }
  pending.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  const reported: UpgradeResult[] = [];
  const errors: string[] = [];
  await ensurePrivateDir(path.join(dir, REPORTED));
  for (const result of pending) {
    try {
      await report(result);
    } catch (error) {
      errors.push(`${result.id}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    await rename(
      path.join(dir, `${result.id}.json`),
      path.join(dir, REPORTED, `${result.id}.json`),
    );
    reported.push(result);
  }
  if (errors.length > 0) {
    throw new OperatorError(
      'undeliverable',
      `${errors.length} upgrade result(s) could not be reported and are tried again (${errors.join('; ')})`,
    );
  }
  return reported;
}

/** Moves a refused file out of the way (renaming never reads it), with its reason beside it. */
async function setAside(dir: string, name: string, reason: string): Promise<void> {
  const refused = path.join(dir, REFUSED_RESULTS);
  await ensurePrivateDir(refused);
  const kept = `${Date.now()}-${name}`;
  const moved = await rename(path.join(dir, name), path.join(refused, kept)).then(
    () => true,
    () => false,
  );
  if (moved) await writeFileAtomic(path.join(refused, `${kept}.reason.txt`), `${reason}\n`);
}
