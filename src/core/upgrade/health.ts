/**
 * The health file: the bot writes it once it is really ready (image open, model loaded,
 * front ends up). The steward trusts this, not pm2's `online`, and only when it names the
 * new process and the expected revision.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.ts';

/** What the health file says. */
export interface HealthInfo {
  readonly version: string;
  /** Full git revision of the running code. */
  readonly revision: string;
  readonly pid: number;
  /** ISO 8601 start time of the process. */
  readonly startedAt: string;
  readonly ready: true;
  /** Number of objects in the image. */
  readonly objects: number;
}

/** Writes the health file atomically. */
export async function writeHealthFile(file: string, info: HealthInfo): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(info, null, 2)}\n`);
}

/** Reads the health file; `undefined` if it is missing or not a health record. */
export async function readHealthFile(file: string): Promise<HealthInfo | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const ok =
    typeof v.version === 'string' &&
    typeof v.revision === 'string' &&
    typeof v.pid === 'number' &&
    typeof v.startedAt === 'string' &&
    v.ready === true &&
    typeof v.objects === 'number';
  return ok ? (v as unknown as HealthInfo) : undefined;
}
