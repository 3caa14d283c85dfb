/**
 * Recall: what goes into a persona's prompt ahead of the person's message — their memories
 * that match it (found by the image's full-text search and, with an embedding model, by the
 * nearest of their memories' vectors, the two rankings fused; and only theirs: the person the
 * persona is talking to) and the thread's own older turns that match it (turns the thread
 * still keeps but the prompt's window has left behind) — best first, within a budget of
 * tokens. The block goes before the message, not into the system prompt, so the thread's
 * cached prompt beginning stays as it was.
 */
import { searchTerms, type FoundMemory } from '../../core/image/index.ts';
import type { StoredTurn } from '../threads.ts';

/** Memories asked of the index per turn: more than any budget lets through. */
export const RECALL_SEARCH_LIMIT = 12;

const MEMORY_HEADER =
  'What this person told you before (private to them; use it only if it helps):';
const TURN_HEADER = 'Said earlier in this conversation:';
const TRAILER = 'Their message:';

/**
 * Reciprocal rank fusion's constant: a memory's score is the sum of 1 / (K + rank) over the
 * rankings that found it, so one found by both outranks one found by either alone, and no
 * ranking's own scores (bm25, cosine) need to be comparable with the other's.
 */
const FUSION_K = 60;

/**
 * The memories of `rankings` (each best first) fused into one ranking, best first, each once;
 * ties keep the order of the first ranking that found them.
 */
export function fuseRankings(rankings: readonly (readonly FoundMemory[])[]): FoundMemory[] {
  const scored = new Map<number, { memory: FoundMemory; score: number }>();
  for (const ranking of rankings)
    ranking.forEach((memory, rank) => {
      const entry = scored.get(memory.oid) ?? { memory, score: 0 };
      entry.score += 1 / (FUSION_K + rank + 1);
      scored.set(memory.oid, entry);
    });
  // A stable sort: ties stay in the order they were first found.
  return [...scored.values()].sort((a, b) => b.score - a.score).map((e) => e.memory);
}

/** About four characters a token, as Llama's tokenizers average on English. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** What a turn recalls: the text the mind is given, and what was added to it. */
export interface Recalled {
  /** The message, with what was recalled ahead of it when anything was. */
  readonly text: string;
  readonly memories: readonly string[];
  readonly turns: readonly StoredTurn[];
  /** The tokens the recall added, estimated as {@link estimateTokens} does. */
  readonly addedTokens: number;
}

/**
 * The older turns that share words with `text`, most shared words first, then newest first.
 */
export function matchingTurns(text: string, older: readonly StoredTurn[]): StoredTurn[] {
  const wanted = new Set(searchTerms(text));
  if (wanted.size === 0) return [];
  return older
    .map((turn, i) => ({ turn, i, shared: searchTerms(turn.text).filter((w) => wanted.has(w)) }))
    .filter((t) => t.shared.length > 0)
    .sort((a, b) => b.shared.length - a.shared.length || b.i - a.i)
    .map((t) => t.turn);
}

/**
 * `text` with `memories` and `turns` (each best first) ahead of it, as many as fit in
 * `budget` tokens; `text` alone when none do.
 */
export function withRecall(
  text: string,
  memories: readonly string[],
  turns: readonly StoredTurn[],
  budget: number,
): Recalled {
  // The closing line is paid for first, so the whole block stays within the budget.
  const whole = budget - estimateTokens(TRAILER) - 1;
  let left = whole;
  const fits = (line: string) => {
    const cost = estimateTokens(line) + 1;
    if (cost > left) return false;
    left -= cost;
    return true;
  };
  const keptMemories = fits(MEMORY_HEADER) ? memories.filter((m) => fits(`- ${m}`)) : [];
  if (keptMemories.length === 0) left = whole;
  const keptTurns = fits(TURN_HEADER) ? turns.filter((t) => fits(`- ${t.who}: ${t.text}`)) : [];
  if (keptMemories.length === 0 && keptTurns.length === 0)
    return { text, memories: [], turns: [], addedTokens: 0 };
  const lines = [
    ...(keptMemories.length > 0 ? [MEMORY_HEADER, ...keptMemories.map((m) => `- ${m}`)] : []),
    ...(keptTurns.length > 0
      ? [TURN_HEADER, ...keptTurns.map((t) => `- ${t.who}: ${t.text}`)]
      : []),
    TRAILER,
  ];
  const block = `${lines.join('\n')}\n`;
  return {
    text: `${block}${text}`,
    memories: keptMemories,
    turns: keptTurns,
    addedTokens: estimateTokens(block),
  };
}
