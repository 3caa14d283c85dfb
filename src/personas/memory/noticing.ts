/**
 * The model's one say in what is remembered, and a narrow one: from a person's message, the
 * sentences that state something about them (`I …`, `I'm …`, `My …`, not questions) are
 * picked out by rule, and the model only chooses, under a grammar that allows nothing else,
 * which one of them is worth keeping, or `none`. It never writes a memory's words, and never
 * changes or forgets one.
 */
import type { Prompt } from '../../core/mind/index.ts';
import { MAX_MEMORY_CHARS } from './limits.ts';

/** The model's answer when nothing is worth keeping. */
export const NOTHING = 'none';
/** The most sentences of one message offered to the model. */
const MAX_CANDIDATES = 4;

const ABOUT_THEMSELVES =
  /^(?:i|i'm|i’m|i've|i’ve|my)\s+(?!(?:think|guess|wonder|mean|said|asked|was wondering)\b)/iu;

/** The sentences of `text` that state something about its writer, as written. */
export function factCandidates(text: string): string[] {
  const sentences = text
    .split(/(?<=[.!?;])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.endsWith('?'))
    .map((s) => s.replace(/[.!;]+$/u, ''));
  const found = sentences.filter(
    (s) => ABOUT_THEMSELVES.test(s) && s.split(/\s+/u).length >= 3 && s.length <= MAX_MEMORY_CHARS,
  );
  return [...new Set(found)].slice(0, MAX_CANDIDATES);
}

/** The prompt of the choice among `candidates` (and {@link NOTHING}). */
export function noticePrompt(candidates: readonly string[]): Prompt {
  return {
    system:
      'You keep short notes about the people you talk with. Choose the one sentence below that states a lasting fact or preference about the person worth remembering in later conversations, or none when no sentence does.',
    user: `Sentences from their message:\n${candidates.map((c) => `- ${c}`).join('\n')}\nAnswer with one sentence exactly as written, or ${NOTHING}.`,
  };
}
