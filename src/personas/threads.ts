/**
 * Conversation history, kept in the image per thread (a platform thread, or else a
 * channel). The root names `conversations`, whose slots map thread keys to one object per
 * thread holding its `turns`; one object per thread keeps each turn's commit small. The
 * turns are bounded by {@link trimHistoryInSteps}: the oldest are dropped, half the limits
 * at a time, so the prompt's beginning (and the mind's cache of it) lasts several turns.
 *
 * Threads are private: each thread object, and `conversations` itself, belongs to the
 * system with no flags, and a thread's readers are the people who have spoken in it — so
 * only they and admins can read its turns or its history.
 */
import type { Transaction } from '../core/image/index.ts';
import { ROOT, TRAITS } from '../core/model/primordial.ts';
import { isRef, PARENT_SLOT, ref, type Oid, type Slot, type Value } from '../core/model/value.ts';
import {
  ACCESS_SLOT,
  accessOf,
  PRIVATE_FLAGS,
  READERS_SLOT,
} from '../core/access/object-access.ts';
import { createHash } from 'node:crypto';
import { namedObject } from '../core/uvm/names.ts';
import { isIdentifier } from '../core/uvm/parser.ts';
import type { Send } from '../core/protocol.ts';
import { trimHistoryInSteps, type HistoryLimits } from './history.ts';

/** The root-table name of the object that holds every thread. */
export const CONVERSATIONS_NAME = 'conversations';

/** One turn as stored: who said it, as which role, to or as which persona, and when. */
export interface StoredTurn {
  readonly role: 'user' | 'assistant';
  readonly persona: string;
  readonly who: string;
  readonly text: string;
  readonly at: string;
}

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
  const turns = thread === undefined ? undefined : tx.getSlot(thread, 'turns');
  if (turns?.kind !== 'value' || !Array.isArray(turns.value)) return [];
  return turns.value.filter(isStoredTurn);
}

/** Appends turns to the thread, creating it if needed, and trims it to `limits` in steps. */
export function appendTurns(
  tx: Transaction,
  key: string,
  turns: readonly StoredTurn[],
  limits: HistoryLimits,
): void {
  const kept = trimHistoryInSteps([...readThread(tx, key), ...turns], limits);
  const value = kept.map((t) => ({ ...t })) satisfies Value[];
  const thread = threadObject(tx, key) ?? createThread(tx, key);
  const readers = accessOf(tx.slots(thread)).readers;
  const speakers = turns.filter((t) => t.role === 'user').map((t) => t.who);
  const added = [...new Set(speakers)].filter((who) => !readers.includes(who));
  if (added.length > 0)
    tx.setSlot(thread, READERS_SLOT, { kind: 'value', value: [...readers, ...added] });
  tx.setSlot(thread, 'turns', { kind: 'value', value });
}

function threadObject(tx: Transaction, key: string): Oid | undefined {
  const holder = namedObject(tx, CONVERSATIONS_NAME);
  const slot = holder === undefined ? undefined : tx.getSlot(holder, key);
  return slot?.kind === 'value' && isRef(slot.value) && tx.exists(slot.value.$ref)
    ? slot.value.$ref
    : undefined;
}

function createThread(tx: Transaction, key: string): Oid {
  let holder = namedObject(tx, CONVERSATIONS_NAME);
  if (holder === undefined || !tx.exists(holder)) {
    holder = tx.create(privateSlots());
    tx.setSlot(ROOT, CONVERSATIONS_NAME, { kind: 'value', value: ref(holder) });
  }
  const thread = tx.create([...privateSlots(), [READERS_SLOT, { kind: 'value', value: [] }]]);
  tx.setSlot(holder, key, { kind: 'value', value: ref(thread) });
  return thread;
}

function privateSlots(): Array<[string, Slot]> {
  return [
    [PARENT_SLOT, { kind: 'value', value: ref(TRAITS) }],
    [ACCESS_SLOT, { kind: 'value', value: PRIVATE_FLAGS }],
  ];
}

function isStoredTurn(value: Value): value is Value & StoredTurn {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const turn = value as Record<string, Value>;
  return (
    (turn.role === 'user' || turn.role === 'assistant') &&
    typeof turn.text === 'string' &&
    typeof turn.persona === 'string' &&
    typeof turn.who === 'string' &&
    typeof turn.at === 'string'
  );
}
