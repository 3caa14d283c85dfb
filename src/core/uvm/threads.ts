/**
 * Conversation threads as data, for the image browser: the threads spoken in lately that the
 * caller may read, and one thread by its object. A thread is read as a send to its object
 * would be read: its readers (the people who spoke in it) and admins may, nobody else; a
 * thread the caller may not read is refused with the same words, and left out of the list
 * uncounted. Finding them reads only the newest {@link THREADS_SEARCHED} transactions (see
 * `image/thread-activity.ts`), never every thread of the image.
 */
import type { Authority } from '../access/authority.ts';
import { mayRead } from '../access/rights.ts';
import { SendError } from '../errors.ts';
import type { Image, Transaction } from '../image/index.ts';
import { accessOf } from '../model/object-access.ts';
import { turnsIn, TURNS_SLOT, type StoredTurn } from '../model/thread-turns.ts';
import type { Oid } from '../model/value.ts';
import { assertReadable } from './access-checks.ts';
import { isSystemPrivate } from './system-objects.ts';

/** How many of the newest transactions are looked at for threads spoken in. */
export const THREADS_SEARCHED = 5_000;
/** The most threads listed, the latest spoken in first. */
export const THREADS_LISTED = 30;

/** One thread as the browser shows it. */
export interface ThreadView {
  readonly oid: Oid;
  /** Its turns, oldest first (as many as the thread keeps: older ones are trimmed). */
  readonly turns: readonly StoredTurn[];
  /** The personas that answered in it, in the order they first did. */
  readonly personas: readonly string[];
  /** The people who spoke in it, in the order they first did. */
  readonly people: readonly string[];
}

/**
 * The threads spoken in within the newest {@link THREADS_SEARCHED} transactions that
 * `authority` may read, the latest first, at most {@link THREADS_LISTED}: for a person, those
 * they spoke in; for an admin, anyone's.
 */
export async function readableThreads(
  image: Pick<Image, 'recentlySpokenIn'>,
  tx: Transaction,
  authority: Authority,
): Promise<ThreadView[]> {
  const candidates = await image.recentlySpokenIn({
    ...(authority.admin ? {} : { who: authority.principal }),
    window: THREADS_SEARCHED,
    limit: THREADS_LISTED,
  });
  return candidates.flatMap((oid) => {
    const view = threadIn(tx, oid);
    return view !== undefined && mayRead(authority, accessOf(tx.slots(oid))) ? [view] : [];
  });
}

/**
 * The thread `oid`, refused as a send to it would be when `authority` may not read it, and
 * refused when it is no thread.
 */
export function readableThread(tx: Transaction, authority: Authority, oid: Oid): ThreadView {
  assertReadable(tx, authority, oid);
  const view = threadIn(tx, oid);
  if (view === undefined)
    throw new SendError(
      'bad-argument',
      `#${oid} is not a conversation thread; the personas page lists the threads you may read.`,
    );
  return view;
}

/** The thread `oid` holds, if it is one: BAT OS's own private object with turns. */
function threadIn(tx: Transaction, oid: Oid): ThreadView | undefined {
  if (!isSystemPrivate(tx, oid)) return undefined;
  const turns = turnsIn(tx.getSlot(oid, TURNS_SLOT));
  if (turns.length === 0) return undefined;
  return {
    oid,
    turns,
    personas: [...new Set(turns.filter((t) => t.role === 'assistant').map((t) => t.persona))],
    people: [...new Set(turns.filter((t) => t.role === 'user').map((t) => t.who))],
  };
}
