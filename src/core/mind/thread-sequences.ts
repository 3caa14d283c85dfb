/**
 * The sequences of one llama.cpp context, lent to conversation threads. A thread keeps its
 * sequence (and so its prompt in the KV cache) across turns, and node-llama-cpp's chat
 * layer evaluates only the tokens after the part the sequence already holds. Sequences that
 * evaluate at the same time are decoded together in one batch by node-llama-cpp itself.
 *
 * When every sequence holds a thread, a new thread takes the least recently used idle one;
 * when every sequence is busy, it waits for one. Turns of one thread run one at a time, in
 * order. Work that belongs to no thread (a method, a choice) prefers a sequence no thread
 * holds, so it does not push a conversation out.
 */
import { LlamaChat, LlamaCompletion } from 'node-llama-cpp';
import type { ChatWrapper, LlamaContext } from 'node-llama-cpp';

/** Two ways to drive one sequence, never at once: a chat, and a plain completion. */
export interface SequenceDrivers {
  /** For conversations: chat formatting, streaming, history compression when too long. */
  readonly chat: LlamaChat;
  /** For short prompts under a grammar, with less per-token work than a chat. */
  readonly completion: LlamaCompletion;
}

interface Slot extends SequenceDrivers {
  /** The thread whose prompt the sequence holds; undefined when it belongs to none. */
  thread: string | undefined;
  busy: boolean;
  /** When it was last released, for least-recently-used order. */
  releasedAt: number;
}

/** Tokens the sequences evaluated and generated, all together. */
export interface TokenCounts {
  /** Tokens evaluated: prompts (less what a sequence already held) and generated tokens. */
  readonly evaluated: number;
  readonly generated: number;
}

export class ThreadSequences {
  private readonly slots: Slot[];
  private readonly waiting: Array<() => void> = [];
  private readonly drained: Array<() => void> = [];
  /** Callers inside {@link use}: waiting for a sequence or generating. */
  private callers = 0;
  private clock = 0;
  private threadEvictions = 0;
  private evaluated = 0;
  private generated = 0;

  constructor(
    readonly context: LlamaContext,
    chatWrapper: ChatWrapper,
  ) {
    this.slots = Array.from({ length: context.totalSequences }, () => {
      const contextSequence = context.getSequence();
      return {
        chat: new LlamaChat({ contextSequence, chatWrapper, autoDisposeSequence: false }),
        completion: new LlamaCompletion({ contextSequence, autoDisposeSequence: false }),
        thread: undefined,
        busy: false,
        releasedAt: 0,
      };
    });
  }

  /** Whether a generation runs or waits for a sequence. */
  get busy(): boolean {
    return this.callers > 0;
  }

  /** The threads whose prompts the sequences hold, least recently used first. */
  get threads(): string[] {
    return [...this.slots]
      .sort((a, b) => a.releasedAt - b.releasedAt)
      .flatMap((slot) => (slot.thread === undefined ? [] : [slot.thread]));
  }

  /** How often a thread's sequence was given to another thread. */
  get evictions(): number {
    return this.threadEvictions;
  }

  get tokens(): TokenCounts {
    return { evaluated: this.evaluated, generated: this.generated };
  }

  /**
   * Runs `fn` with a sequence of its own: the thread's, if it still holds one, otherwise
   * an idle one. `signal` abandons the wait for a busy sequence.
   */
  async use<T>(
    thread: string | undefined,
    signal: AbortSignal,
    fn: (drivers: SequenceDrivers) => Promise<T>,
  ): Promise<T> {
    this.callers++;
    try {
      const slot = await this.acquire(thread, signal);
      const meter = slot.chat.sequence.tokenMeter;
      const before = meter.getState();
      try {
        return await fn(slot);
      } finally {
        const used = meter.diff(before);
        this.evaluated += used.usedInputTokens;
        this.generated += used.usedOutputTokens;
        slot.busy = false;
        slot.releasedAt = ++this.clock;
        for (const wake of this.waiting.splice(0)) wake();
      }
    } finally {
      this.callers--;
      if (this.callers === 0) for (const resolve of this.drained.splice(0)) resolve();
    }
  }

  /** Resolves once nothing runs or waits (for disposing the context). */
  idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.drained.push(resolve)) : Promise.resolve();
  }

  private async acquire(thread: string | undefined, signal: AbortSignal): Promise<Slot> {
    for (;;) {
      signal.throwIfAborted();
      const slot = this.pick(thread);
      if (slot) {
        slot.busy = true;
        if (slot.thread !== thread) {
          if (slot.thread !== undefined) this.threadEvictions++;
          slot.thread = thread;
        }
        return slot;
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal.removeEventListener('abort', giveUp);
          resolve();
        };
        const giveUp = (): void => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          resolve();
        };
        this.waiting.push(wake);
        signal.addEventListener('abort', giveUp, { once: true });
      });
    }
  }

  /** The slot for `thread` now, or undefined when it must wait. */
  private pick(thread: string | undefined): Slot | undefined {
    if (thread !== undefined) {
      const own = this.slots.find((slot) => slot.thread === thread);
      if (own) return own.busy ? undefined : own;
    }
    const idle = this.slots.filter((slot) => !slot.busy);
    return (
      idle.find((slot) => slot.thread === undefined) ??
      idle.reduce<Slot | undefined>(
        (oldest, slot) => (oldest && oldest.releasedAt <= slot.releasedAt ? oldest : slot),
        undefined,
      )
    );
  }
}
