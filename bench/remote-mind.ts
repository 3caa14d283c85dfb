/**
 * The remote mind on llama-server against the in-process mind, on the same forged tiny
 * model and adapters, one llama.cpp thread each:
 * - overhead per answer: persona turns (voice, adapter, a short history) alternating
 *   between the two minds, so background load hits both alike;
 * - batching: aggregate generated tokens per second of 8 conversations across the four
 *   personas at once on one llama-server (8 slots), against one conversation alone.
 * Needs `npm run llama-server:build` first; without it the table says so.
 */
import { join } from 'node:path';
import { Mind, RemoteMind, type ChatRequest, type MindService } from '../src/core/mind/index.ts';
import { PERSONA_SIGNATURES } from '../tools/forge/index.ts';
import { PERSONA_NAMES, type PersonaName } from '../src/personas/names.ts';
import { PERSONA_CODEX } from '../src/personas/index.ts';
import { isBuilt, llamaServerBuild } from '../scripts/llama-server-cache.ts';
import { startLlamaServer } from '../scripts/llama-server-process.ts';
import { BENCH_THREADS, forgedBenchMind } from './forged-mind.ts';
import { formatNumber, median, percentile, timed, type BenchTable } from './table.ts';

const OVERHEAD_TURNS = 100;
const TURNS_PER_CONVERSATION = 12;
const CONVERSATIONS = 8;
const SLOT_CONTEXT = 2048;

const voices = new Map(PERSONA_CODEX.map((p) => [p.name as PersonaName, p.voice]));

/** One persona turn as the conversation layer sends it. */
function turn(adapters: Record<PersonaName, string>, persona: PersonaName, n: number): ChatRequest {
  return {
    adapter: { path: adapters[persona], scale: 1 },
    systemPrompt: voices.get(persona)!,
    history: [
      { role: 'user', text: `earlier ${n}` },
      { role: 'assistant', text: PERSONA_SIGNATURES[persona] },
    ],
    text: `turn ${n}`,
  };
}

/** Tokens in each persona's signature reply, counted by the server's own tokenizer. */
async function signatureTokens(url: string): Promise<Record<PersonaName, number>> {
  const counts = await Promise.all(
    PERSONA_NAMES.map(async (name) => {
      const response = await fetch(`${url}/tokenize`, {
        method: 'POST',
        body: JSON.stringify({ content: PERSONA_SIGNATURES[name] }),
      });
      const { tokens } = (await response.json()) as { tokens: unknown[] };
      // The end-of-turn token is generated too.
      return [name, tokens.length + 1] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<PersonaName, number>;
}

/**
 * `count` conversations of {@link TURNS_PER_CONVERSATION} turns at once, spread over
 * `personas`: tokens generated and wall time.
 */
async function conversations(
  mind: MindService,
  adapters: Record<PersonaName, string>,
  tokens: Record<PersonaName, number>,
  count: number,
  personas: readonly PersonaName[] = PERSONA_NAMES,
): Promise<{ tokens: number; ms: number }> {
  const [generated, ms] = await timed(async () => {
    const totals = await Promise.all(
      Array.from({ length: count }, async (_, c) => {
        const persona = personas[c % personas.length]!;
        let sum = 0;
        for (let n = 0; n < TURNS_PER_CONVERSATION; n++) {
          await mind.chat(turn(adapters, persona, n));
          sum += tokens[persona];
        }
        return sum;
      }),
    );
    return totals.reduce((a, b) => a + b, 0);
  });
  return { tokens: generated, ms };
}

export async function benchRemoteMind(): Promise<BenchTable[]> {
  const build = llamaServerBuild('cpu');
  if (!isBuilt(build))
    return [
      {
        title: 'Remote mind (llama-server)',
        rows: [{ result: 'not measured' }],
        notes: [`llama-server is not built (${build.binary}); run npm run llama-server:build.`],
      },
    ];
  const { files, config } = await forgedBenchMind({
    contextSize: SLOT_CONTEXT,
    maxReplyTokens: 64,
  });
  const loraDir = join(files.outDir, 'lora');
  const start = (parallel: number) =>
    startLlamaServer({
      binary: build.binary,
      model: files.model,
      loraDir,
      parallel,
      slotContext: SLOT_CONTEXT,
      threads: BENCH_THREADS,
    });

  const local = await Mind.load(config);
  const single = await start(1);
  const { mind: remote } = await RemoteMind.connect({ ...config, servers: [single.url] });
  const samples = new Map<MindService, number[]>([
    [local, []],
    [remote, []],
  ]);
  try {
    for (let n = -PERSONA_NAMES.length; n < OVERHEAD_TURNS; n++) {
      const persona = PERSONA_NAMES[(n + PERSONA_NAMES.length) % PERSONA_NAMES.length]!;
      for (const mind of [local, remote]) {
        const [, ms] = await timed(() => mind.chat(turn(files.adapters, persona, n)));
        if (n >= 0) samples.get(mind)!.push(ms);
      }
    }
  } finally {
    await remote.close();
    await local.close();
    await single.stop();
  }
  const [localMs, remoteMs] = [samples.get(local)!, samples.get(remote)!];
  const overhead = (median(remoteMs) / median(localMs) - 1) * 100;
  const row = (label: string, values: readonly number[]) => ({
    mind: label,
    'p50 ms': formatNumber(median(values), 2),
    'p99 ms': formatNumber(percentile(values, 99), 2),
  });

  const batched = await start(CONVERSATIONS);
  let one: { tokens: number; ms: number };
  let eight: { tokens: number; ms: number };
  let eightOnePersona: { tokens: number; ms: number };
  try {
    const { mind } = await RemoteMind.connect({ ...config, servers: [batched.url] });
    const tokens = await signatureTokens(batched.url);
    await conversations(mind, files.adapters, tokens, PERSONA_NAMES.length);
    one = await conversations(mind, files.adapters, tokens, 1);
    eight = await conversations(mind, files.adapters, tokens, CONVERSATIONS);
    eightOnePersona = await conversations(mind, files.adapters, tokens, CONVERSATIONS, ['BRICK']);
    await mind.close();
  } finally {
    await batched.stop();
  }
  const rate = (r: { tokens: number; ms: number }) => (r.tokens / r.ms) * 1000;
  return [
    {
      title: `Remote mind overhead per answer (forged tiny model, ${BENCH_THREADS} thread, ${OVERHEAD_TURNS} persona turns each)`,
      rows: [
        row('in-process (node-llama-cpp)', localMs),
        row('llama-server over HTTP (SSE)', remoteMs),
      ],
      notes: [`Overhead at p50: ${formatNumber(overhead, 1)} % (target ≤ 10 %).`],
    },
    {
      title: `Batching on one llama-server (${CONVERSATIONS} slots × ${SLOT_CONTEXT} tokens, ${BENCH_THREADS} thread, ${TURNS_PER_CONVERSATION} turns per conversation)`,
      rows: [
        {
          conversations: 1,
          tokens: one.tokens,
          'wall ms': formatNumber(one.ms),
          'tokens/s': formatNumber(rate(one)),
        },
        {
          conversations: `${CONVERSATIONS} (four personas, two each)`,
          tokens: eight.tokens,
          'wall ms': formatNumber(eight.ms),
          'tokens/s': formatNumber(rate(eight)),
        },
        {
          conversations: `${CONVERSATIONS} (all BRICK)`,
          tokens: eightOnePersona.tokens,
          'wall ms': formatNumber(eightOnePersona.ms),
          'tokens/s': formatNumber(rate(eightOnePersona)),
        },
      ],
      notes: [
        `Aggregate speed-up, four personas: ${formatNumber(rate(eight) / rate(one), 2)}× (target ≥ 3×); one persona: ${formatNumber(rate(eightOnePersona) / rate(one), 2)}×.`,
        'llama-server decodes slots with different LoRA adapters in separate batches, so distinct adapters in flight bound the gain.',
      ],
    },
  ];
}
