/**
 * The personas' memory desk: answers the memory requests people make (see
 * `memory-words.ts`) and recalls for a persona's turn (see `recall.ts`). Keeping and
 * forgetting are transactions recorded as the person's own — in history, undoable by them —
 * that change only objects they own (see `notebook.ts`); listing reads within the bot's one
 * read of the message. Each memory kept is told to the person in the reply that keeps it, so
 * nothing is kept silently.
 */
import type { PersonaPlan } from '../../core/bot/bot.ts';
import type { Caller } from '../../core/access/principal.ts';
import { SendError } from '../../core/errors.ts';
import { MindError } from '../../core/mind/errors.ts';
import type { MindService } from '../../core/mind/index.ts';
import type { Transaction } from '../../core/image/index.ts';
import { isDirect, textReply, type Reply, type Send } from '../../core/protocol.ts';
import { transactionInfo } from '../../core/uvm/delivery.ts';
import type { Uvm } from '../../core/uvm/uvm.ts';
import { threadKey, type StoredTurn } from '../threads.ts';
import { memoryRequest, type MemoryRequest } from './memory-words.ts';
import { factCandidates, NOTHING, noticePrompt } from './noticing.ts';
import {
  ensureNotebook,
  forgetMemories,
  keepMemory,
  readMemories,
  type Memory,
  type MemorySource,
} from './notebook.ts';
import {
  DEFAULT_MEMORY_KEEP,
  DEFAULT_RECALL_MIN_SIMILARITY,
  DEFAULT_RECALL_TOKENS,
  MAX_MEMORY_CHARS,
} from './limits.ts';
import {
  fuseRankings,
  matchingTurns,
  RECALL_SEARCH_LIMIT,
  withRecall,
  type Recalled,
} from './recall.ts';
import { MemoryVectors, type MemoryEmbedder } from './vectors.ts';

/** The persona a memory is told to when the message named none. */
const NO_PERSONA = 'BAT OS';

export interface MemoryOptions {
  /** The most memories one person keeps; past it the oldest are forgotten (BATOS_MEMORY_KEEP). */
  readonly keep?: number;
  /** The most tokens recall adds to a persona's prompt (BATOS_RECALL_TOKENS). */
  readonly recallTokens?: number;
  /** Whether the model may pick a sentence of a turn to keep (BATOS_MEMORY_NOTICE; default on). */
  readonly notice?: boolean;
  /**
   * The embedding model (BATOS_EMBEDDING_MODEL) whose vectors rank recall beside full-text
   * search; without one, full-text search alone ranks.
   */
  readonly embedder?: MemoryEmbedder;
  /**
   * The cosine similarity (0 to 1) a memory needs to be recalled by the embedder alone
   * (BATOS_RECALL_MIN_SIMILARITY, in hundredths); full-text matches are recalled regardless.
   */
  readonly minSimilarity?: number;
}

export class MemoryDesk {
  private readonly keepAtMost: number;
  private readonly noticing: boolean;
  private readonly recallTokens: number;
  private readonly vectors: MemoryVectors | undefined;

  constructor(
    private readonly uvm: Uvm,
    options: MemoryOptions = {},
  ) {
    this.keepAtMost = options.keep ?? DEFAULT_MEMORY_KEEP;
    this.noticing = options.notice ?? true;
    this.recallTokens = options.recallTokens ?? DEFAULT_RECALL_TOKENS;
    this.vectors =
      options.embedder === undefined
        ? undefined
        : new MemoryVectors(
            uvm,
            options.embedder,
            options.minSimilarity ?? DEFAULT_RECALL_MIN_SIMILARITY / 100,
          );
  }

  /**
   * What to do with `text` (the message, less any persona's name) when it is a memory
   * request, decided in the bot's read `tx`; undefined when it is none.
   */
  read(
    tx: Transaction,
    text: string,
    send: Send,
    caller: Caller,
    persona?: string,
  ): PersonaPlan | undefined {
    const request = memoryRequest(text);
    if (request === undefined) return undefined;
    const said = (reply: Reply): Reply => (persona === undefined ? reply : { ...reply, persona });
    if (request.kind === 'list') {
      const memories = readMemories(tx, caller.principal);
      // Everyone in a channel reads the reply: there, only how many.
      const reply = textReply('ok', isDirect(send) ? listing(memories) : howMany(memories));
      return { kind: 'answer', answer: () => Promise.resolve(said(reply)) };
    }
    return {
      kind: 'answer',
      answer: async () => said(await this.change(request, send, caller, persona ?? NO_PERSONA)),
    };
  }

  /**
   * The text a persona's mind is given for the person's `text`: their memories and the
   * thread's `older` turns that match it, within the recall budget, ahead of it. With an
   * embedding model, their memories nearest the message rank beside the full-text matches.
   */
  async recall(caller: Caller, text: string, older: readonly StoredTurn[]): Promise<Recalled> {
    const person = caller.principal;
    const [found, near] = await Promise.all([
      this.uvm.searchMemories(person, text, RECALL_SEARCH_LIMIT),
      // An embedding costs model time: none when nothing may be recalled (BATOS_RECALL_TOKENS=0).
      this.recallTokens > 0 ? (this.vectors?.nearest(person, text, RECALL_SEARCH_LIMIT) ?? []) : [],
    ]);
    return withRecall(
      text,
      fuseRankings([found, near]).map((m) => m.text),
      matchingTurns(text, older),
      this.recallTokens,
    );
  }

  /**
   * After a turn: the one sentence of the person's `text` the model chooses as worth keeping
   * (see `noticing.ts`), kept as theirs; the notice the reply carries, or undefined when
   * nothing was kept (no sentence about them, the model chose none, or it failed: then
   * nothing is kept, and the turn's answer stands).
   */
  async notice(
    mind: Pick<MindService, 'choose'>,
    caller: Caller,
    send: Send,
    persona: string,
    text: string,
  ): Promise<string | undefined> {
    if (!this.noticing) return undefined;
    const candidates = factCandidates(text);
    if (candidates.length === 0) return undefined;
    let chosen: string;
    try {
      chosen = await mind.choose([NOTHING, ...candidates], noticePrompt(candidates));
    } catch (error) {
      if (error instanceof MindError) return undefined;
      throw error;
    }
    if (chosen === NOTHING) return undefined;
    const { result } = await this.keep(caller, send, persona, chosen, 'noticed');
    if (result === undefined) return undefined;
    return keptNotice(result.kept, result.count, result.dropped, this.keepAtMost);
  }

  /**
   * Keeps `text` for the caller, in a transaction of theirs; undefined when they already
   * keep exactly that.
   */
  private async keep(
    caller: Caller,
    send: Send,
    persona: string,
    text: string,
    how: MemorySource['how'],
  ) {
    const person = caller.principal;
    const info = transactionInfo(caller, send.text);
    // Embedded before the commit, from the text alone, so the commit waits for no model.
    const vector = await this.vectors?.embed(text);
    // The notebook is BAT OS's to make, in a transaction of its own, so that the person's
    // own (the memory) changes only what is theirs, and is theirs to undo.
    await this.uvm.asSystem({ ...info, who: 'system:memory' }, (tx) => ensureNotebook(tx, person));
    const source = { persona, thread: threadKey(send), message: send.text, how };
    const done = await this.uvm.asSystem(info, (t) => {
      if (readMemories(t, person).some((m) => m.text === text)) return undefined;
      const kept = keepMemory(t, person, text, source, this.keepAtMost);
      return { ...kept, count: readMemories(t, person).length };
    });
    if (done.result !== undefined && vector !== undefined)
      await this.vectors?.store(person, done.result.kept.oid, vector);
    return done;
  }

  private async change(
    request: Exclude<MemoryRequest, { kind: 'list' }>,
    send: Send,
    caller: Caller,
    persona: string,
  ): Promise<Reply> {
    const person = caller.principal;
    const info = transactionInfo(caller, send.text);
    if (request.kind === 'remember') {
      if (request.text.length > MAX_MEMORY_CHARS)
        throw new SendError(
          'limit',
          `That is ${request.text.length} characters; a memory holds at most ${MAX_MEMORY_CHARS}. Say it shorter, in a few memories if need be. Nothing was kept.`,
        );
      const { result, tx } = await this.keep(caller, send, persona, request.text, 'asked');
      if (result === undefined)
        return textReply('ok', `I already remember that: “${request.text}”. Nothing was added.`);
      return textReply(
        'ok',
        keptNotice(result.kept, result.count, result.dropped, this.keepAtMost),
        {
          ...(tx === undefined ? {} : { tx }),
        },
      );
    }
    const { result, tx } = await this.uvm.asSystem(info, (t) => {
      const all = readMemories(t, person);
      const gone = chosen(all, request.which);
      forgetMemories(t, person, gone);
      return gone;
    });
    const what =
      result.length === 1 ? `“${result[0]!.text}”` : `all ${result.length} of your memories`;
    return textReply(
      'ok',
      `Forgot ${what}. \`undo\` brings ${result.length === 1 ? 'it' : 'them'} back.`,
      {
        ...(tx === undefined ? {} : { tx }),
      },
    );
  }
}

/** The memories `which` names, or a refusal that says why and what to say instead. */
function chosen(all: readonly Memory[], which: 'everything' | number | string): Memory[] {
  if (all.length === 0)
    throw new SendError(
      'bad-argument',
      'I remember nothing about you, so there is nothing to forget.',
    );
  if (which === 'everything') return [...all];
  if (typeof which === 'number') {
    const found = all[which - 1];
    if (found === undefined)
      throw new SendError(
        'bad-argument',
        `There is no memory ${which}: I remember ${all.length} thing${all.length === 1 ? '' : 's'} about you (\`what do you remember about me?\` numbers them). Nothing was forgotten.`,
      );
    return [found];
  }
  const needle = which.toLowerCase();
  const matches = all.filter((m) => m.text.toLowerCase().includes(needle));
  if (matches.length === 1) return matches;
  const numbered = (ms: readonly Memory[]) =>
    ms.map((m) => `${all.indexOf(m) + 1}. ${m.text}`).join('\n');
  if (matches.length === 0)
    throw new SendError(
      'bad-argument',
      `None of your memories says “${which}”; nothing was forgotten. What I remember:\n${numbered(all)}\nSay \`forget 2\` for the second, or \`forget everything\`.`,
    );
  throw new SendError(
    'bad-argument',
    `“${which}” is in ${matches.length} of your memories; nothing was forgotten. Say which:\n${numbered(matches)}\n\`forget ${all.indexOf(matches[0]!) + 1}\` forgets the first of these.`,
  );
}

/** What `what do you remember about me?` answers where others read the reply. */
function howMany(memories: readonly Memory[]): string {
  return `I remember ${memories.length} thing${memories.length === 1 ? '' : 's'} about you. Others read my replies here, so ask me \`what do you remember about me?\` in a direct message to see them.`;
}

/** The list `what do you remember about me?` answers with. */
function listing(memories: readonly Memory[]): string {
  if (memories.length === 0)
    return 'I remember nothing about you. Say `remember that …` and I will, and tell you so.';
  const lines = memories.map(
    (m, i) => `${i + 1}. ${m.text} (told ${m.persona}, ${m.at.slice(0, 10)})`,
  );
  return [
    'What I remember about you — only you and the admins can read these:',
    ...lines,
    '`forget 2` forgets the second, `forget <words>` the one that says them, `forget everything` all.',
  ].join('\n');
}

/** The notice a kept memory comes with: nothing is kept silently. */
function keptNotice(kept: Memory, count: number, dropped: readonly Memory[], keep: number): string {
  const lines = [
    `I'll remember that: “${kept.text}” (memory ${count}). Only you and the admins can read it; \`forget ${count}\` or \`undo\` takes it back.`,
  ];
  if (dropped.length > 0)
    lines.push(
      `I keep at most ${keep} memories for each person (BATOS_MEMORY_KEEP), so I forgot the oldest: ${dropped.map((m) => `“${m.text}”`).join(', ')}.`,
    );
  return lines.join('\n');
}
