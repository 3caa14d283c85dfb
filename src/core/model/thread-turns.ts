/**
 * What a conversation thread holds, as data the core can read: the personas keep the threads
 * (`src/personas/threads.ts`, under the root's hidden {@link CONVERSATIONS_SLOT}), and the
 * image browser shows them to whoever may read them (`uvm/threads.ts`). A thread is a
 * system-private object whose {@link TURNS_SLOT} lists its turns, oldest first.
 */
import type { Slot, Value } from './value.ts';

/** The root's hidden slot that holds every thread: found by the system, never by a name. */
export const CONVERSATIONS_SLOT = 'conversations*';
/** The thread object's slot that lists its turns. */
export const TURNS_SLOT = 'turns';

/** One turn as stored: who said it, as which role, to or as which persona, and when. */
export interface StoredTurn {
  readonly role: 'user' | 'assistant';
  readonly persona: string;
  readonly who: string;
  readonly text: string;
  readonly at: string;
}

/** The turns a thread's turns slot holds, oldest first; what is not a turn is left out. */
export function turnsIn(slot: Slot | undefined): StoredTurn[] {
  if (slot?.kind !== 'value' || !Array.isArray(slot.value)) return [];
  return slot.value.filter(isStoredTurn);
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
