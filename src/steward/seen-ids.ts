/**
 * The request ids the steward has taken, each with the moment its request expires. A replay
 * of a taken request is refused by id even after `claimed/` and `results/` were cleaned;
 * once a request has expired it is refused for its age anyway, so its id is forgotten.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/upgrade/index.ts';

/** Request id → expiry (ms since the epoch). */
export type SeenIds = Record<string, number>;

/** Loads the ids still within their expiry at `now`. */
export async function loadSeenIds(file: string, now: number): Promise<SeenIds> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // Refuse to run without replay protection; deleting the file only reopens the window.
    throw new Error(
      `${file} is damaged: no request is taken until it is fixed or deleted (deleting it lets a request seen in the last expiry window run again)`,
    );
  }
  const live: SeenIds = {};
  for (const [id, expiresAt] of Object.entries(value)) {
    if (typeof expiresAt === 'number' && expiresAt > now) live[id] = expiresAt;
  }
  return live;
}

/** Remembers `id` until `expiresAt` (and drops what has expired by `now`). */
export async function rememberSeenId(
  file: string,
  id: string,
  expiresAt: number,
  now: number,
): Promise<void> {
  const seen = await loadSeenIds(file, now);
  seen[id] = expiresAt;
  await writeFileAtomic(file, `${JSON.stringify(seen, null, 2)}\n`);
}
