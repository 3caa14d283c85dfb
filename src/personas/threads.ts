/**
 * Conversation history, kept in the image per thread (a platform thread, or else a
 * channel). The root's hidden slot `conversations*` (a name no message can write or claim,
 * see {@link systemObject}) holds the threads: one object per thread holding its `turns`, in
 * 256 buckets by the hash of the thread key, so no object's slot limit stops new threads.
 * One object per thread keeps each turn's commit small. The turns are bounded by
 * {@link trimHistoryInSteps}: the oldest are dropped, half the limits at a time, so the
 * prompt's beginning (and the mind's cache of it) lasts several turns.
 *
 * Threads are private: each thread object, the buckets and the holder belong to the system
 * with no flags, and a thread's readers are the people who have spoken in it — so only they
 * and admins can read its turns or its history. Each person may start a bounded number of
 * threads (BATOS_MAX_THREADS_PER_USER), counted in the holder's `starts` buckets.
 */
import type { Transaction } from '../core/image/index.ts';
import { ref, type Oid, type Value } from '../core/model/value.ts';
import { accessOf, READERS_SLOT } from '../core/model/object-access.ts';
import { principalKey } from '../core/access/principal.ts';
import { quotaExceeded } from '../core/access/quotas.ts';
import { createHash } from 'node:crypto';
import {
  ensureSystemChild,
  ensureSystemObject,
  privateSystemSlots,
  systemChild,
  systemObject,
} from '../core/uvm/system-objects.ts';
import { isIdentifier } from '../core/uvm/parser.ts';
import type { Send } from '../core/protocol.ts';
import { trimHistoryInSteps, type HistoryLimits } from './history.ts';
import {
  CONVERSATIONS_SLOT,
  turnsIn,
  TURNS_SLOT,
  type StoredTurn,
} from '../core/model/thread-turns.ts';

export { CONVERSATIONS_SLOT, type StoredTurn } from '../core/model/thread-turns.ts';
/** The root-table name older images kept the threads under; moved at start (see install.ts). */
export const LEGACY_CONVERSATIONS_NAME = 'conversations';

/**
 * The thread's slot name: platform, channel and thread, as an identifier so that
 * `conversations getSlot …` can name it; hashed when too long to be one.
 */
export function threadKey(send: Pick<Send, 'platform' | 'channel' | 'thread'>): string {
  const raw = [send.platform, send.channel, ...(send.thread ? [send.thread] : [])].join('_');
  const key = raw.replace(/[^A-Za-z0-9_]/g, '_');
  if (isIdentifier(key)) return key;
  return `${send.platform}_${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
}

/** The thread's stored turns, oldest first; none for a new thread. */
export function readThread(tx: Transaction, key: string): StoredTurn[] {
  const thread = threadObject(tx, key);
  return thread === undefined ? [] : turnsIn(tx.getSlot(thread, TURNS_SLOT));
}

/**
 * Appends turns to the thread, creating it if needed (charged to `starter`, who may start at
 * most `maxThreads`), and trims it to `limits` in steps.
 */
export function appendTurns(
  tx: Transaction,
  key: string,
  turns: readonly StoredTurn[],
  limits: HistoryLimits,
  starter: { readonly principal: string; readonly bounded: boolean; readonly maxThreads: number },
): void {
  const kept = trimHistoryInSteps([...readThread(tx, key), ...turns], limits);
  const value = kept.map((t) => ({ ...t })) satisfies Value[];
  const thread = threadObject(tx, key) ?? createThread(tx, key, starter);
  const readers = accessOf(tx.slots(thread)).readers;
  const speakers = turns.filter((t) => t.role === 'user').map((t) => t.who);
  const added = [...new Set(speakers)].filter((who) => !readers.includes(who));
  if (added.length > 0)
    tx.setSlot(thread, READERS_SLOT, { kind: 'value', value: [...readers, ...added] });
  tx.setSlot(thread, TURNS_SLOT, { kind: 'value', value });
}

/** The bucket slot of a thread key (`b_00` … `b_ff`) or of a person's count (`s_00` …). */
function bucketOf(prefix: 'b' | 's', text: string): string {
  return `${prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 2)}`;
}

/** The object that keeps the thread `key`, if it has begun. */
export function threadObject(tx: Transaction, key: string): Oid | undefined {
  const holder = systemObject(tx, CONVERSATIONS_SLOT);
  // Threads kept before buckets sit on the holder itself.
  return (
    systemChild(tx, systemChild(tx, holder, bucketOf('b', key)), key) ??
    systemChild(tx, holder, key)
  );
}

function createThread(
  tx: Transaction,
  key: string,
  starter: { readonly principal: string; readonly bounded: boolean; readonly maxThreads: number },
): Oid {
  const holder = ensureSystemObject(tx, CONVERSATIONS_SLOT);
  if (starter.bounded) {
    const counts = ensureSystemChild(tx, holder, bucketOf('s', starter.principal));
    const slot = principalKey(starter.principal);
    const current = tx.getSlot(counts, slot);
    const started =
      current?.kind === 'value' && typeof current.value === 'number' ? current.value : 0;
    if (started + 1 > starter.maxThreads)
      throw quotaExceeded(
        `You have started ${started} conversations; one person may start at most ${starter.maxThreads} (BATOS_MAX_THREADS_PER_USER). Carry on in a thread you already have, or ask an admin.`,
      );
    tx.setSlot(counts, slot, { kind: 'value', value: started + 1 });
  }
  const thread = tx.create([...privateSystemSlots(), [READERS_SLOT, { kind: 'value', value: [] }]]);
  tx.setSlot(ensureSystemChild(tx, holder, bucketOf('b', key)), key, {
    kind: 'value',
    value: ref(thread),
  });
  return thread;
}
