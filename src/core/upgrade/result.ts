/**
 * Result files: what the steward leaves for the bot to report once it is back.
 * `<results>/<id>.json` is pending; after reporting it moves to `<results>/reported/`.
 */
import { mkdir, readFile, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import type { AppVersion, ReportTarget, Requester } from './request.ts';
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
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** Writes `<dir>/<id>.json` atomically. */
export async function writeUpgradeResult(dir: string, result: UpgradeResult): Promise<string> {
  const file = path.join(dir, `${result.id}.json`);
  await writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Reads one result file. */
export async function readUpgradeResult(file: string): Promise<UpgradeResult> {
  return JSON.parse(await readFile(file, 'utf8')) as UpgradeResult;
}

/**
 * Hands every pending result to `report`, oldest first, and marks each reported (moves it to
 * `reported/`) only after `report` resolved, so a crash mid-report reports again rather than
 * never. A result whose report throws stays pending and the error is rethrown at the end.
 *
 * @returns the results that were reported.
 */
export async function takeUpgradeResults(
  dir: string,
  report: (result: UpgradeResult) => Promise<void>,
): Promise<UpgradeResult[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const pending = await Promise.all(names.map((n) => readUpgradeResult(path.join(dir, n))));
  pending.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  const reported: UpgradeResult[] = [];
  const errors: unknown[] = [];
  await mkdir(path.join(dir, 'reported'), { recursive: true });
  for (const result of pending) {
    try {
      await report(result);
    } catch (error) {
      errors.push(error);
      continue;
    }
    await rename(
      path.join(dir, `${result.id}.json`),
      path.join(dir, 'reported', `${result.id}.json`),
    );
    reported.push(result);
  }
  if (errors.length > 0) {
    throw new AggregateError(errors, `${errors.length} upgrade result(s) could not be reported`);
  }
  return reported;
}
