/**
 * The request folder: finds new request files, rejects bad ones, claims good ones in order.
 * Nothing in the folder is trusted: a FIFO, a directory, a link or an oversized file is set
 * aside unread, every read has a time limit, a request must be fresh, and an id is taken
 * only once, even after `claimed/` was cleaned.
 */
import { access, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDir } from '../core/private-files.ts';
import {
  type UpgradeLayout,
  type UpgradeRequest,
  isRequestFileName,
  readUpgradeRequestFile,
  requestExpiresAt,
  requestStaleness,
  writeFileAtomic,
} from '../core/upgrade/index.ts';
import {
  type ReplayMemory,
  openReplayMemory,
  issuedBeforeMemory,
  saveReplayMemory,
} from './replay-memory.ts';

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

/** What the inbox tells its caller about the entries it turns away. */
export interface InboxReports {
  /**
   * An entry moved to `rejected/`, and why. `request` is set for a signed, fresh request
   * refused only because the replay memory was lost: its requester should hear why.
   */
  readonly rejected: (file: string, reason: string, request?: UpgradeRequest) => void;
  /** The replay memory was lost (missing or damaged) and begins again now: why. */
  readonly memoryLost: (why: string) => void;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Moves a bad entry to `rejected/` (renaming never reads it) with a `.reason.txt` beside it. */
async function reject(layout: UpgradeLayout, file: string, reason: string): Promise<void> {
  await ensurePrivateDir(layout.rejected);
  const name = `${Date.now()}-${path.basename(file)}`;
  await rename(file, path.join(layout.rejected, name));
  await writeFileAtomic(path.join(layout.rejected, `${name}.reason.txt`), `${reason}\n`);
}

/** Why a signed, well-formed request is not to be taken, or `undefined`. */
async function refusal(
  layout: UpgradeLayout,
  request: UpgradeRequest,
  rules: InboxRules,
  memory: ReplayMemory,
  now: number,
): Promise<{ readonly reason: string; readonly tell?: boolean } | undefined> {
  const stale = requestStaleness(request, now, rules.expiryMs);
  if (stale !== undefined) return { reason: stale };
  const { id } = request;
  if (memory.ids[id] !== undefined) return { reason: `replay of request id ${id}` };
  const traces = [
    path.join(layout.claimed, `${id}.json`),
    path.join(layout.results, `${id}.json`),
    path.join(layout.results, 'reported', `${id}.json`),
  ];
  if ((await Promise.all(traces.map(exists))).some(Boolean))
    return { reason: `duplicate request id ${id}` };
  // No trace of it anywhere: if refused now, it is for a lost memory, and the requester hears.
  const lost = issuedBeforeMemory(memory, Date.parse(request.requestedAt));
  return lost === undefined ? undefined : { reason: lost, tell: true };
}

/**
 * Checks every entry in the request folder, moves bad ones to `rejected/` (telling
 * `reports`), and claims the oldest valid request: its id is remembered in the replay memory
 * until it expires, then it is renamed into `claimed/`. Returns `undefined` when there is
 * nothing to do.
 */
export async function claimNext(
  layout: UpgradeLayout,
  rules: InboxRules,
  reports: InboxReports,
): Promise<Claim | undefined> {
  await ensurePrivateDir(layout.requests);
  const opened = await openReplayMemory(layout, rules.key, Date.now());
  if (opened.lost !== undefined) reports.memoryLost(opened.lost);
  const { memory } = opened;
  const valid: Claim[] = [];
  for (const name of (await readdir(layout.requests)).filter(isRequestFileName)) {
    const file = path.join(layout.requests, name);
    const read = await readUpgradeRequestFile(file, rules.key).catch((e: Error) => ({
      ok: false as const,
      reason: `unreadable: ${e.message}`,
    }));
    const refused = read.ok
      ? await refusal(layout, read.request, rules, memory, Date.now())
      : { reason: read.reason };
    if (refused === undefined && read.ok) valid.push({ request: read.request, file });
    else if (refused !== undefined) {
      await reject(layout, file, refused.reason);
      reports.rejected(file, refused.reason, read.ok && refused.tell ? read.request : undefined);
    }
  }
  valid.sort((a, b) => a.request.requestedAt.localeCompare(b.request.requestedAt));
  const next = valid[0];
  if (next === undefined) return undefined;
  const ids = { ...memory.ids, [next.request.id]: requestExpiresAt(next.request, rules.expiryMs) };
  await saveReplayMemory(layout.seen, rules.key, { since: memory.since, ids }, Date.now());
  await ensurePrivateDir(layout.claimed);
  const claimed = path.join(layout.claimed, path.basename(next.file));
  await rename(next.file, claimed);
  return { request: next.request, file: claimed };
}
