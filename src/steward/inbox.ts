/**
 * The request folder: finds new request files, rejects bad ones, claims good ones in order.
 * Nothing in the folder is trusted: a FIFO, a directory, a link or an oversized file is set
 * aside unread, every read has a time limit, a request must be fresh, and an id is taken
 * only once, even after `claimed/` was cleaned.
 */
import { access, mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import {
  type UpgradeLayout,
  type UpgradeRequest,
  isRequestFileName,
  readUpgradeRequestFile,
  requestExpiresAt,
  requestStaleness,
  writeFileAtomic,
} from '../core/upgrade/index.ts';
import { loadSeenIds, rememberSeenId } from './seen-ids.ts';

/** A claimed request and where its file now lies. */
export interface Claim {
  readonly request: UpgradeRequest;
  readonly file: string;
}

/** What the inbox needs to judge a request. */
export interface InboxRules {
  readonly key: string;
  /** How long after it was issued a request is still taken. */
  readonly expiryMs: number;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Moves a bad entry to `rejected/` (renaming never reads it) with a `.reason.txt` beside it. */
async function reject(layout: UpgradeLayout, file: string, reason: string): Promise<void> {
  await mkdir(layout.rejected, { recursive: true });
  const name = `${Date.now()}-${path.basename(file)}`;
  await rename(file, path.join(layout.rejected, name));
  await writeFileAtomic(path.join(layout.rejected, `${name}.reason.txt`), `${reason}\n`);
}

/** Why a signed, well-formed request is not to be taken, or `undefined`. */
async function refusal(
  layout: UpgradeLayout,
  request: UpgradeRequest,
  rules: InboxRules,
  now: number,
): Promise<string | undefined> {
  const stale = requestStaleness(request, now, rules.expiryMs);
  if (stale !== undefined) return stale;
  const { id } = request;
  if ((await loadSeenIds(layout.seen, now))[id] !== undefined) return `replay of request id ${id}`;
  const traces = [
    path.join(layout.claimed, `${id}.json`),
    path.join(layout.results, `${id}.json`),
    path.join(layout.results, 'reported', `${id}.json`),
  ];
  if ((await Promise.all(traces.map(exists))).some(Boolean)) return `duplicate request id ${id}`;
  return undefined;
}

/**
 * Checks every entry in the request folder, moves bad ones to `rejected/` (calling
 * `onReject`), and claims the oldest valid request: its id is remembered until it expires,
 * then it is renamed into `claimed/`. Returns `undefined` when there is nothing to do.
 */
export async function claimNext(
  layout: UpgradeLayout,
  rules: InboxRules,
  onReject: (file: string, reason: string) => void,
): Promise<Claim | undefined> {
  await mkdir(layout.requests, { recursive: true });
  const valid: Claim[] = [];
  for (const name of (await readdir(layout.requests)).filter(isRequestFileName)) {
    const file = path.join(layout.requests, name);
    const read = await readUpgradeRequestFile(file, rules.key).catch((e: Error) => ({
      ok: false as const,
      reason: `unreadable: ${e.message}`,
    }));
    const reason = read.ok ? await refusal(layout, read.request, rules, Date.now()) : read.reason;
    if (reason === undefined && read.ok) valid.push({ request: read.request, file });
    else if (reason !== undefined) {
      await reject(layout, file, reason);
      onReject(file, reason);
    }
  }
  valid.sort((a, b) => a.request.requestedAt.localeCompare(b.request.requestedAt));
  const next = valid[0];
  if (next === undefined) return undefined;
  const now = Date.now();
  await rememberSeenId(
    layout.seen,
    next.request.id,
    requestExpiresAt(next.request, rules.expiryMs),
    now,
  );
  await mkdir(layout.claimed, { recursive: true });
  const claimed = path.join(layout.claimed, path.basename(next.file));
  await rename(next.file, claimed);
  return { request: next.request, file: claimed };
}
