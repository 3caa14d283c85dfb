/**
 * The steward's replay memory (`steward-seen.json`): the ids of the requests it has taken,
 * each until its request expires (after that the request is refused for its age anyway), and
 * the moment the memory begins. It is signed with the upgrade key, so it cannot be forged to
 * refuse every request or to forget one.
 *
 * Losing it does not let a request run twice: a memory that is damaged (unreadable, forged)
 * is set aside, and one that is missing from an upgrade folder that was used before begins
 * again; either way the new memory begins now, every request issued before now is refused
 * (any taken already among them), and the steward goes on taking new ones. Only an upgrade
 * folder emptied of everything looks like a first start.
 */
import { access, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import {
  type UpgradeLayout,
  readBoundedFile,
  signPayload,
  verifyPayload,
  writeFileAtomic,
} from '../core/upgrade/index.ts';

/** What the steward remembers of the requests it has taken. */
export interface ReplayMemory {
  /** Requests issued before this moment (ms since the epoch) are refused. */
  readonly since: number;
  /** Request id → when its request expires (ms since the epoch). */
  readonly ids: Readonly<Record<string, number>>;
}

/** The memory, and what went wrong with the file if it had to begin again. */
export interface OpenedMemory {
  readonly memory: ReplayMemory;
  /** Set when the memory was lost and begins now: why, for the log and refusals. */
  readonly lost?: string;
}

/** Marks the signed payload as a replay memory, so no other signed file passes for one. */
const KIND = 'steward-replay-memory';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The memory in the file's text, or why it is not one. */
function parseMemory(text: string, key: string): ReplayMemory | string {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (!isRecord(envelope) || !verifyPayload(envelope.memory, envelope.signature, key))
    return 'missing or bad signature';
  const { memory } = envelope;
  if (!isRecord(memory) || memory.kind !== KIND || !isRecord(memory.ids)) return 'bad shape';
  const since = Date.parse(String(memory.since));
  if (Number.isNaN(since)) return 'bad shape';
  const ids: Record<string, number> = {};
  for (const [id, expiresAt] of Object.entries(memory.ids)) {
    if (typeof expiresAt !== 'number') return 'bad shape';
    ids[id] = expiresAt;
  }
  return { since, ids };
}

/**
 * Whether the upgrade folder shows that it was used before: anything taken, rejected, logged,
 * backed up or reported, or an upgrade in progress. Only a folder with none of these is a
 * first start.
 */
async function usedBefore(layout: UpgradeLayout): Promise<boolean> {
  const folders = [layout.claimed, layout.results, layout.rejected, layout.logs, layout.backups];
  for (const dir of folders)
    if ((await readdir(dir).catch(() => [] as string[])).length > 0) return true;
  return access(layout.state).then(
    () => true,
    () => false,
  );
}

/** Writes `memory`, signed with `key`, keeping only the ids still within their expiry. */
export async function saveReplayMemory(
  file: string,
  key: string,
  memory: ReplayMemory,
  now: number,
): Promise<void> {
  const ids = Object.fromEntries(Object.entries(memory.ids).filter(([, at]) => at > now));
  const payload = { kind: KIND, since: new Date(memory.since).toISOString(), ids };
  const envelope = { format: 1, memory: payload, signature: signPayload(payload, key) };
  await writeFileAtomic(file, `${JSON.stringify(envelope, null, 2)}\n`);
}

/**
 * Reads the replay memory of the upgrade folder `layout` at `now`. A missing file in a folder
 * never used before is a first start: nothing to refuse. A missing file in a used folder, or
 * a damaged one (set aside as `<file>.damaged-<now>`), begins a new memory now and says so in
 * `lost`.
 */
export async function openReplayMemory(
  layout: UpgradeLayout,
  key: string,
  now: number,
): Promise<OpenedMemory> {
  const file = layout.seen;
  const read = await readBoundedFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    return { ok: false as const, reason: `unreadable: ${error.message}` };
  });
  const parsed =
    read === undefined ? undefined : read.ok ? parseMemory(read.text, key) : read.reason;
  if (typeof parsed === 'object') {
    const ids = Object.fromEntries(Object.entries(parsed.ids).filter(([, at]) => at > now));
    return { memory: { since: parsed.since, ids } };
  }
  if (parsed === undefined && !(await usedBefore(layout))) {
    // A first start: written now, so that from here on a missing file means a lost one.
    const first = { since: 0, ids: {} };
    await saveReplayMemory(file, key, first, now);
    return { memory: first };
  }
  const begins = new Date(now).toISOString();
  let what = `${file} is missing although the upgrade folder was used before`;
  if (parsed !== undefined) {
    const aside = `${file}.damaged-${now}`;
    await rename(file, aside).catch(() => undefined);
    what = `${file} was damaged (${parsed}) and is set aside as ${path.basename(aside)}`;
  }
  const memory = { since: now, ids: {} };
  await saveReplayMemory(file, key, memory, now);
  return {
    memory,
    lost: `${what}: the replay memory begins again at ${begins}, and requests issued before then are refused in case they are replays`,
  };
}

/**
 * Why a request issued at `requestedAt` (ms) is refused because `memory` began again after
 * it (it may have been taken before the memory was lost), or `undefined`.
 */
export function issuedBeforeMemory(memory: ReplayMemory, requestedAt: number): string | undefined {
  if (requestedAt >= memory.since) return undefined;
  return `issued before ${new Date(memory.since).toISOString()}, when the steward's replay memory began again (it had been lost), so it may be a replay; nothing was run: ask again`;
}
