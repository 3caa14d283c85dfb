/**
 * Persona switch latency on the forged model: a conversation that changes persona every
 * turn (ROBIN → BRICK → BABS → ALFRED → …), each turn with the persona's voice, its LoRA
 * adapter and the thread's recent history, as the conversation layer sends it.
 *
 * Two minds, same model file and settings, turns interleaved so background load hits both:
 * one whose memory budget keeps a context per persona (reused, KV cache kept across turns),
 * and one whose budget holds a single context, so every switch creates a new context.
 */
import { Mind, type ChatTurn } from '../src/core/mind/index.ts';
import { PERSONA_NAMES, type PersonaName } from '../src/forge/index.ts';
import { PERSONA_CODEX, trimHistory } from '../src/personas/index.ts';
import { BENCH_THREADS, forgedBenchMind } from './forged-mind.ts';
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
    const window = trimHistory([...thread, { role: 'user' as const, text: `turn ${n}` }], HISTORY);
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
