/**
 * Persona switch latency on the forged model: a conversation that changes persona every
 * turn (ROBIN → BRICK → BABS → ALFRED → …), each turn with the persona's voice, its LoRA
 * adapter and the thread's recent history, as the conversation layer sends it.
 *
 * Two minds, same model file and settings, turns interleaved so background load hits both:
 * one whose memory budget keeps a context per persona (reused, KV cache kept across turns),
 * and one whose budget holds a single context, so every switch creates a new context.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { LlamaChat, type LlamaContextSequence, type Token } from 'node-llama-cpp';
import { resolveModelChatWrapper, toChatHistory } from '../src/core/mind/chat-format.ts';
import { Mind, type ChatTurn, type MindConfig } from '../src/core/mind/index.ts';
import { forgeLargeModel, SMALL_SHAPE } from '../tools/forge/index.ts';
import { PERSONA_NAMES, type PersonaName } from '../src/personas/names.ts';
import { PERSONA_CODEX, trimHistoryInSteps } from '../src/personas/index.ts';
import { BENCH_THREADS, forgedBenchMind, plainAdapterContext } from './forged-mind.ts';
import { formatNumber, median, percentile, type BenchTable } from './table.ts';

const TURNS = 200;
const HISTORY = { maxTurns: 8, maxChars: 2_000 };

/** Runs the comparison and returns its table; prints nothing. */
export async function benchPersonas(): Promise<BenchTable> {
  const { files, config } = await forgedBenchMind({
    memoryBudgetBytes: 1024 * 2 ** 20,
    maxReplyTokens: 64,
  });
  const reused = await Mind.load(config);
  const perContext = reused.stats().bytesPerContext;
  const fresh = await Mind.load({ ...config, memoryBudgetBytes: Math.floor(perContext * 1.5) });

  const voices = new Map(PERSONA_CODEX.map((p) => [p.name as PersonaName, p.voice]));
  const threads = new Map<Mind, ChatTurn[]>([
    [reused, []],
    [fresh, []],
  ]);
  const turn = async (mind: Mind, persona: PersonaName, n: number): Promise<number> => {
    const thread = threads.get(mind)!;
    const window = trimHistoryInSteps(
      [...thread, { role: 'user' as const, text: `turn ${n}` }],
      HISTORY,
    );
    const started = performance.now();
    const reply = await mind.chat({
      adapter: { path: files.adapters[persona], scale: 1 },
      systemPrompt: voices.get(persona)!,
      history: window.slice(0, -1),
      text: window[window.length - 1]!.text,
    });
    const ms = performance.now() - started;
    thread.push({ role: 'user', text: `turn ${n}` }, { role: 'assistant', text: reply });
    thread.splice(0, Math.max(0, thread.length - HISTORY.maxTurns));
    return ms;
  };

  const samples = new Map<Mind, number[]>([
    [reused, []],
    [fresh, []],
  ]);
  // The first round loads each adapter once per mind; it is not measured.
  for (let n = -PERSONA_NAMES.length; n < TURNS; n++) {
    const persona = PERSONA_NAMES[(n + PERSONA_NAMES.length) % PERSONA_NAMES.length]!;
    for (const mind of [reused, fresh]) {
      const ms = await turn(mind, persona, n);
      if (n >= 0) samples.get(mind)!.push(ms);
    }
  }
  const evictions = fresh.stats().evictions;
  const contexts = reused.stats().contexts.length;
  await reused.close();
  await fresh.close();

  const row = (label: string, values: readonly number[]) => ({
    contexts: label,
    'p50 ms': formatNumber(median(values), 2),
    'p99 ms': formatNumber(percentile(values, 99), 2),
    'max ms': formatNumber(Math.max(...values), 2),
  });
  const speedup = median(samples.get(fresh)!) / median(samples.get(reused)!);
  return {
    title: `Persona switch latency (forged tiny model, ${BENCH_THREADS} thread, ${TURNS} turns, a switch every turn)`,
    rows: [
      row(`reused: one per persona (${contexts} live)`, samples.get(reused)!),
      row(`new context per turn (${evictions} evictions)`, samples.get(fresh)!),
    ],
    notes: [
      `Reused contexts answer a switch ${formatNumber(speedup, 1)}× faster at the median: no context is created and no adapter applied, and each context's KV cache still holds its persona's last prompt, so the common prefix (the voice, the unchanged history) is not evaluated again.`,
      'Each turn: the codex voice as the system prompt, the persona adapter at scale 1, up to 8 turns of history; the tiny model answers with the persona signature line.',
    ],
  };
}

/** Conversations and turns of the batching rows. */
const BATCH = { conversations: 8, seconds: 3, rounds: 3, ttftSamples: 12, historyTokens: 2_000 };

/** Who answers the conversations of a rate row, and how many tokens it generated so far. */
interface Talker {
  reply(conversation: number, thread: string, history: ChatTurn[], text: string): Promise<string>;
  generated(): number;
}

/** BAT OS's mind as ROBIN: a thread's sequence is found by its key. */
function mindTalker(mind: Mind, robin: { path: string; scale: number }, voice: string): Talker {
  return {
    reply: (_, thread, history, text) =>
      mind.chat({ adapter: robin, systemPrompt: voice, thread, history, text }),
    generated: () => mind.stats().tokens.generated,
  };
}

/**
 * Plain node-llama-cpp for the same conversations: one context with ROBIN's adapter, one
 * `LlamaChat` per conversation on a sequence of its own, the same chat wrapper, history and
 * limits as the mind.
 */
async function plainTalker(
  modelPath: string,
  robin: { path: string; scale: number },
  voice: string,
  { contextSize, maxReplyTokens }: Pick<MindConfig, 'contextSize' | 'maxReplyTokens'>,
): Promise<Talker & { dispose(): Promise<void> }> {
  const { model, context } = await plainAdapterContext(modelPath, robin, {
    contextSize,
    sequences: BATCH.conversations,
  });
  const chatWrapper = resolveModelChatWrapper(model);
  const chats = Array.from(
    { length: BATCH.conversations },
    () => new LlamaChat({ contextSequence: context.getSequence(), chatWrapper }),
  );
  return {
    async reply(conversation, _, history, text) {
      const { response } = await chats[conversation]!.generateResponse(
        toChatHistory(voice, history, text),
        { maxTokens: maxReplyTokens, temperature: 0 },
      );
      return response.trim();
    },
    generated: () =>
      chats.reduce((sum, chat) => sum + chat.sequence.tokenMeter.usedOutputTokens, 0),
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

/**
 * Generated tokens/s of `conversations` threads talking to ROBIN at once, each sending its
 * next turn as soon as its reply is in (history as the conversation layer keeps it).
 */
async function conversationRate(
  talker: Talker,
  conversations: number,
  round: number,
): Promise<number> {
  const before = talker.generated();
  const started = performance.now();
  const stop = started + BATCH.seconds * 1000;
  await Promise.all(
    Array.from({ length: conversations }, async (_, c) => {
      const thread = `rate-${round}-${conversations}-${c}`;
      let turns: ChatTurn[] = [];
      for (let n = 0; performance.now() < stop; n++) {
        const text = `conversation ${c} turn ${n}`;
        const reply = await talker.reply(c, thread, turns, text);
        turns = trimHistoryInSteps(
          [...turns, { role: 'user', text }, { role: 'assistant', text: reply }],
          HISTORY,
        );
      }
    }),
  );
  return ((talker.generated() - before) * 1000) / (performance.now() - started);
}

/**
 * Generated tokens/s of `conversations` replies at once from a model with random weights,
 * which talks until the token limit: decoding alone, no prompt to speak of.
 */
async function decodeRate(mind: Mind, conversations: number, round: number): Promise<number> {
  const before = mind.stats().tokens.generated;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: conversations }, (_, c) =>
      mind.chat({ systemPrompt: '', thread: `decode-${c}`, history: [], text: `go ${round} ${c}` }),
    ),
  );
  return ((mind.stats().tokens.generated - before) * 1000) / (performance.now() - started);
}

/**
 * One decoding step on plain node-llama-cpp, ms (median of `steps`): `n` sequences of one
 * context (ROBIN's adapter, the bench's thread count) each evaluate one token and sample the
 * next, in one batch. Batching can raise tokens/s by at most `n × step(1) / step(n)`.
 */
async function decodingStepMs(
  modelPath: string,
  adapterPath: string,
  counts: readonly number[],
  steps: number,
): Promise<Map<number, number>> {
  const { model, context } = await plainAdapterContext(
    modelPath,
    { path: adapterPath, scale: 1 },
    { contextSize: 1024, sequences: Math.max(...counts) },
  );
  try {
    const sequences = Array.from({ length: context.totalSequences }, () => context.getSequence());
    const prompt = model.tokenize('hello there, how are you today?');
    const step = (sequence: LlamaContextSequence, token: Token) =>
      sequence
        .controlledEvaluate([[token, { generateNext: { token: true } }]])
        .then((out) => out[0]?.next.token ?? token);
    const result = new Map<number, number>();
    for (const n of counts) {
      const using = sequences.slice(0, n);
      for (const sequence of using) {
        await sequence.clearHistory();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt);
      }
      const next = using.map(() => prompt[prompt.length - 1]!);
      const times: number[] = [];
      for (let i = 0; i < steps; i++) {
        const started = performance.now();
        const tokens = await Promise.all(using.map((sequence, s) => step(sequence, next[s]!)));
        times.push(performance.now() - started);
        tokens.forEach((token, s) => (next[s] = token));
      }
      result.set(n, median(times));
    }
    return result;
  } finally {
    await context.dispose();
    await model.dispose();
  }
}

/** A history of about `tokens` tokens as this mind counts them, distinct per `seed`. */
function longHistory(seed: number, turns: number): ChatTurn[] {
  return Array.from({ length: turns }, (_, i) => ({
    role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
    text: `${seed}.${i} we went over the release plan, the open questions and who signs what`,
  }));
}

/** Time to the first streamed text of one turn, and the tokens it evaluated. */
async function firstToken(
  mind: Mind,
  request: Parameters<Mind['chat']>[0],
): Promise<{ ms: number; evaluated: number; reply: string }> {
  const before = mind.stats().tokens.evaluated;
  const started = performance.now();
  let ms: number | undefined;
  const reply = await mind.chat({
    ...request,
    onPartial: () => (ms ??= performance.now() - started),
  });
  return { ms: ms ?? NaN, evaluated: mind.stats().tokens.evaluated - before, reply };
}

/**
 * The batching rows: 8 conversations with one persona at once against 1, and a thread's
 * second turn after a ~2,000-token history against its first, side by side in one run.
 */
export async function benchBatching(): Promise<BenchTable> {
  const { files, config } = await forgedBenchMind({
    contextSize: 4096,
    sequences: BATCH.conversations,
    memoryBudgetBytes: 1024 * 2 ** 20,
    maxReplyTokens: 64,
  });
  const mind = await Mind.load(config);
  const robin = { path: files.adapters.ROBIN, scale: 1 };
  const voice = PERSONA_CODEX.find((p) => p.name === 'ROBIN')!.voice;
  try {
    const talker = mindTalker(mind, robin, voice);
    const plain = await plainTalker(files.model, robin, voice, config);
    const one: number[] = [];
    const many: number[] = [];
    const plainOne: number[] = [];
    const plainMany: number[] = [];
    try {
      await conversationRate(talker, 1, -1);
      await conversationRate(plain, 1, -1);
      for (let round = 0; round < BATCH.rounds; round++) {
        one.push(await conversationRate(talker, 1, round));
        many.push(await conversationRate(talker, BATCH.conversations, round));
        plainOne.push(await conversationRate(plain, 1, round));
        plainMany.push(await conversationRate(plain, BATCH.conversations, round));
      }
    } finally {
      await plain.dispose();
    }

    // Turns of ~2,000 tokens of history: sized from what the first sample evaluates.
    const probe = await firstToken(mind, {
      adapter: robin,
      systemPrompt: voice,
      thread: 'probe',
      history: longHistory(-1, 20),
      text: 'so?',
    });
    const turns = Math.max(2, 2 * Math.round((20 * BATCH.historyTokens) / probe.evaluated / 2));
    const first: number[] = [];
    const second: number[] = [];
    let evaluated = { first: 0, second: 0 };
    for (let sample = 0; sample < BATCH.ttftSamples; sample++) {
      const thread = `ttft-${sample}`;
      const history = longHistory(sample, turns);
      const turn1 = await firstToken(mind, {
        adapter: robin,
        systemPrompt: voice,
        thread,
        history,
        text: 'where are we?',
      });
      const turn2 = await firstToken(mind, {
        adapter: robin,
        systemPrompt: voice,
        thread,
        history: [
          ...history,
          { role: 'user', text: 'where are we?' },
          { role: 'assistant', text: turn1.reply },
        ],
        text: 'and next?',
      });
      first.push(turn1.ms);
      second.push(turn2.ms);
      evaluated = { first: turn1.evaluated, second: turn2.evaluated };
    }
    const random = await forgeLargeModel({
      outPath: join(files.outDir, 'random-small.gguf'),
      shape: SMALL_SHAPE,
    });
    const rambler = await Mind.load({ ...config, model: random.path, maxReplyTokens: 256 });
    const decodeOne: number[] = [];
    const decodeMany: number[] = [];
    try {
      await decodeRate(rambler, 1, -1);
      for (let round = 0; round < BATCH.rounds; round++) {
        decodeOne.push(await decodeRate(rambler, 1, round));
        decodeMany.push(await decodeRate(rambler, BATCH.conversations, round));
      }
    } finally {
      await rambler.close();
    }
    const stepMs = await decodingStepMs(files.model, robin.path, [1, BATCH.conversations], 300);
    const step = { one: stepMs.get(1)!, many: stepMs.get(BATCH.conversations)! };
    const ceiling = (BATCH.conversations * step.one) / step.many;
    const rate = { one: median(one), many: median(many) };
    const plainRate = { one: median(plainOne), many: median(plainMany) };
    const decode = { one: median(decodeOne), many: median(decodeMany) };
    const ttft = { first: median(first), second: median(second) };
    return {
      title: `Batched generation: one persona, many threads (forged tiny model, ${BENCH_THREADS} thread, ${BATCH.conversations} sequences per context)`,
      rows: [
        {
          measurement: `${BATCH.conversations} conversations with ROBIN at once vs 1: generated tokens/s`,
          baseline: `1: ${formatNumber(rate.one)}`,
          measured: `${BATCH.conversations}: ${formatNumber(rate.many)}`,
          ratio: `${formatNumber(rate.many / rate.one, 1)}×`,
          target: '≥ 3×',
        },
        {
          measurement: `the same conversations on plain node-llama-cpp (a LlamaChat per conversation, one context): generated tokens/s`,
          baseline: `1: ${formatNumber(plainRate.one)}`,
          measured: `${BATCH.conversations}: ${formatNumber(plainRate.many)}`,
          ratio: `${formatNumber(plainRate.many / plainRate.one, 1)}×`,
          target: '—',
        },
        {
          measurement: `the same, decoding only: ${BATCH.conversations} replies of 256 tokens at once vs 1 (random-weights small model)`,
          baseline: `1: ${formatNumber(decode.one)}`,
          measured: `${BATCH.conversations}: ${formatNumber(decode.many)}`,
          ratio: `${formatNumber(decode.many / decode.one, 1)}×`,
          target: '—',
        },
        {
          measurement: `one decoding step (a token in, the next sampled), plain node-llama-cpp: ${BATCH.conversations} sequences at once vs 1, ms`,
          baseline: `1: ${formatNumber(step.one, 2)}`,
          measured: `${BATCH.conversations}: ${formatNumber(step.many, 2)}`,
          ratio: `${formatNumber(step.many / step.one, 1)}×`,
          target: '—',
        },
        {
          measurement: `a thread's second turn after a ${formatNumber(evaluated.first)}-token prompt: first token ms`,
          baseline: `first turn: ${formatNumber(ttft.first, 2)}`,
          measured: `second turn: ${formatNumber(ttft.second, 2)}`,
          ratio: `${formatNumber(ttft.second / ttft.first, 2)}×`,
          target: '≤ 0.2×',
        },
      ],
      notes: [
        `Rates: medians of ${BATCH.rounds} rounds of ${BATCH.seconds} s each, 1 and ${BATCH.conversations} conversations alternating, BAT OS's mind and plain node-llama-cpp in turn; each conversation sends its next turn when its reply is in, history kept as the conversation layer keeps it.`,
        `First token: medians of ${BATCH.ttftSamples} threads, each with its own history; the second turn evaluated ${formatNumber(evaluated.second)} tokens (what is new), the first ${formatNumber(evaluated.first)}.`,
        `Why the ${BATCH.conversations}-conversation ratio stops where it does: on this model and ${BENCH_THREADS} llama.cpp thread, one step for ${BATCH.conversations} sequences costs ${formatNumber(step.many / step.one, 1)}× a step for one, so batching can give at most ${formatNumber(ceiling, 1)}× whatever BAT OS does, and plain node-llama-cpp's own LlamaChat gets ${formatNumber(plainRate.many / plainRate.one, 1)}× on the same conversations (each turn's prompt and chat handling come between the steps). The tiny model's cost per sequence is arithmetic: each sequence's next token needs its own row of logits from an f32 output layer (128 × the vocabulary) and its own sampling, and one thread computes them one after another. An 8B model's step is bound by reading its weights, once per batch for all sequences (bench/gpu.ts measures that on a GPU machine).`,
        `This machine's load average was ${formatNumber(loadavg()[0]!, 1)} on ${availableParallelism()} cores at the end of the run.`,
      ],
    };
  } finally {
    await mind.close();
  }
}
