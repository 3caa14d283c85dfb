/**
 * The request folder: finds new request files, rejects bad ones, claims good ones in order.
 */
import { access, mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import {
  type UpgradeLayout,
  type UpgradeRequest,
  isRequestFileName,
  readUpgradeRequestFile,
  writeFileAtomic,
} from '../core/upgrade/index.ts';

/** A claimed request and where its file now lies. */
export interface Claim {
  readonly request: UpgradeRequest;
  readonly file: string;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Moves a bad file to `rejected/` with a `.reason.txt` beside it. */
async function reject(layout: UpgradeLayout, file: string, reason: string): Promise<void> {
  await mkdir(layout.rejected, { recursive: true });
  const name = `${Date.now()}-${path.basename(file)}`;
  await rename(file, path.join(layout.rejected, name));
  await writeFileAtomic(path.join(layout.rejected, `${name}.reason.txt`), `${reason}\n`);
}

/**
 * Checks every file in the request folder, moves bad ones to `rejected/` (calling `onReject`),
 * and claims the oldest valid request by renaming it into `claimed/`. Returns `undefined`
 * when there is nothing to do.
 */
export async function claimNext(
  layout: UpgradeLayout,
  key: string,
  onReject: (file: string, reason: string) => void,
): Promise<Claim | undefined> {
  await mkdir(layout.requests, { recursive: true });
  const valid: Claim[] = [];
  for (const name of (await readdir(layout.requests)).filter(isRequestFileName)) {
    const file = path.join(layout.requests, name);
    const read = await readUpgradeRequestFile(file, key).catch((e: Error) => ({
      ok: false as const,
      reason: `unreadable: ${e.message}`,
    }));
    let reason = read.ok ? undefined : read.reason;
    if (read.ok) {
      const { id } = read.request;
      const seen = [
        path.join(layout.claimed, `${id}.json`),
        path.join(layout.results, `${id}.json`),
        path.join(layout.results, 'reported', `${id}.json`),
      ];
      if ((await Promise.all(seen.map(exists))).some(Boolean))
        reason = `duplicate request id ${id}`;
      else valid.push({ request: read.request, file });
    }
    if (reason !== undefined) {
      await reject(layout, file, reason);
      onReject(file, reason);
    }
  }
  valid.sort((a, b) => a.request.requestedAt.localeCompare(b.request.requestedAt));
  const next = valid[0];
  if (next === undefined) return undefined;
  await mkdir(layout.claimed, { recursive: true });
  const claimed = path.join(layout.claimed, path.basename(next.file));
  await rename(next.file, claimed);
  return { request: next.request, file: claimed };
}
