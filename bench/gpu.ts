/**
 * GPU speed check: forges a model with Llama 3.1 8B's shapes and pseudo-random Q4_0 weights
 * (nothing is downloaded), then in one run measures plain node-llama-cpp and BAT OS's mind
 * on it: backend start, model load, context creation, prompt processing, time to first
 * token and generation speed, with the GPU, backend and VRAM node-llama-cpp reports.
 *
 * On a machine with an NVIDIA GPU, Node.js and this repo's node_modules, from the repo root:
 *
 *     npx tsx bench/gpu.ts --preset 8b --gpu cuda --out /tmp/batos-gpu
 *
 * It prints a markdown table and writes it to `bench/results/gpu-<date>-<preset>-<backend>.md`
 * (or into `--results DIR`) for the session to commit.
 *
 * - Disk: 4.5 GB (4.2 GiB) for the model in `--out` (default `<tmpdir>/batos-gpu-bench`),
 *   kept for later runs (a file of the expected size is not rewritten).
 * - Time, expected on an H100 machine: forging 10–30 s (13 s measured on a 2-core VM, bound
 *   by the disk), hashing the file once for the mind 5–15 s (6 s there), two model loads of
 *   a few seconds each, the measured runs well under a minute: about 1–2 minutes in all.
 *   (The whole 8B path ran end to end on that VM's CPU with `--gen 8 --prompt 64 --context
 *   512` in about 1.5 minutes.)
 * - `--gpu cuda` fails loudly, naming the missing libraries, when the CUDA build cannot
 *   start (node-llama-cpp 3.21.1's prebuilt CUDA binary links CUDA 13's libcudart and
 *   libcublas and the driver's libcuda); `--gpu auto` falls back to the CPU silently, so
 *   the table then carries a warning.
 * - CPU proof at small scale: `npx tsx bench/gpu.ts --preset small --gpu false` (seconds).
 *
 * Options: `--gen N` tokens to generate (default 128), `--prompt 512,2048` prompt lengths
 * for prompt processing, `--context N` (default 4096), `--threads N` (default: all cores).
 *
 * A machine without Node.js or node_modules, like this workplace's device machine (nothing
 * can be installed there, and a call carries at most 64 MiB): here, run
 * `npx tsx bench/gpu.ts --pack .gpu-pack`. It writes Node.js, tsx and node-llama-cpp with
 * its CUDA binary (about 200 MB gzipped) as four parts of at most 56 MiB, one folder each,
 * makes git ignore the folder, and prints the device calls to make one right after another:
 * three that only carry a part, then one that carries the last, unpacks everything, puts
 * the CUDA libraries on LD_LIBRARY_PATH and runs the 8B check with `--results $OUT`.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getLlama, LlamaCompletion, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama, LlamaGpuType, LlamaModel, Token } from 'node-llama-cpp';
import { Mind, MindError } from '../src/core/mind/index.ts';
import type { MindConfig, MindGpu } from '../src/core/mind/index.ts';
import { sha256OfFile } from '../src/core/mind/file-hash.ts';
import { sharedLlama } from '../src/core/mind/llama.ts';
import { forgeLargeModel, LARGE_MODEL_PRESETS } from '../tools/forge/index.ts';
import type { LargeModelPreset } from '../tools/forge/index.ts';
import { formatNumber, renderTable, timed } from './table.ts';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(tmpdir(), 'batos-gpu-bench') },
    preset: { type: 'string', default: '8b' },
    gpu: { type: 'string', default: 'cuda' },
    results: { type: 'string', default: 'bench/results' },
    gen: { type: 'string', default: '128' },
    prompt: { type: 'string', default: '512,2048' },
    context: { type: 'string', default: '4096' },
    threads: { type: 'string', default: String(availableParallelism()) },
    pack: { type: 'string' },
  },
  strict: true,
});

const preset = args.preset as LargeModelPreset;
if (!(preset in LARGE_MODEL_PRESETS)) {
  throw new Error(`--preset must be one of ${Object.keys(LARGE_MODEL_PRESETS).join(', ')}`);
}
const GPU_CHOICES = ['cuda', 'vulkan', 'auto', 'false'] as const;
if (!(GPU_CHOICES as readonly string[]).includes(args.gpu)) {
  throw new Error(`--gpu must be one of ${GPU_CHOICES.join(', ')}`);
}
const gpu = (args.gpu === 'false' ? false : args.gpu) as MindGpu;
const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const GEN_TOKENS = positive('gen', args.gen);
const CONTEXT_SIZE = positive('context', args.context);
const THREADS = positive('threads', args.threads);
// Room for the chat template and the generated tokens.
const PROMPT_LENGTHS = args.prompt
  .split(',')
  .map((raw) => positive('prompt', raw))
  .filter((length) => length + GEN_TOKENS + 64 <= CONTEXT_SIZE);
if (PROMPT_LENGTHS.length === 0) throw new Error('no --prompt length fits --context');
const LONGEST_PROMPT = Math.max(...PROMPT_LENGTHS);
const shape = LARGE_MODEL_PRESETS[preset];
const modelPath = resolve(args.out, `${shape.name}.gguf`);
/** The fixed prompt both paths generate from. */
const GENERATION_PROMPT = 'the quick brown fox jumps over the lazy dog and then';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const ms = (n: number): string => `${formatNumber(n, n < 10 ? 2 : 0)} ms`;
const rate = (n: number): string => (Number.isFinite(n) ? `${formatNumber(n, 1)} tok/s` : '—');
const gib = (bytes: number): string => `${formatNumber(bytes / 2 ** 30, 2)} GiB`;
const size = (bytes: number): string =>
  bytes < 2 ** 30 ? `${formatNumber(bytes / 2 ** 20, 1)} MiB` : gib(bytes);

/** Deterministic ordinary tokens (past the control and byte tokens) for prompt processing. */
function promptTokens(model: LlamaModel, count: number): Token[] {
  const first = 5 + 256;
  const span = shape.vocabSize - first;
  let x = 12345;
  const tokens: Token[] = model.tokens.bos === null ? [] : [model.tokens.bos];
  while (tokens.length < count) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    tokens.push((first + (x % span)) as Token);
  }
  return tokens;
}

/** What one path measured; undefined where that path cannot measure it. */
interface PathResult {
  backendStartMs?: number;
  hashMs?: number;
  loadMs?: number;
  contextMs?: number;
  promptRates: Map<string, number>;
  ttftMs?: number;
  generationRate?: number;
  generatedTokens?: number;
  methodRate?: number;
  methodTokens?: number;
  gpuLayers?: string;
  vramUsed?: number;
}

interface BackendInfo {
  gpu: LlamaGpuType;
  devices: string[];
  vramTotal: number;
  build: string;
  release: string;
}

async function describeBackend(llama: Llama): Promise<BackendInfo> {
  const vram = await llama.getVramState();
  return {
    gpu: llama.gpu,
    devices: await llama.getGpuDeviceNames(),
    vramTotal: vram.total,
    build: llama.buildType,
    release: `${llama.llamaCppRelease.release} (${llama.llamaCppRelease.repo})`,
  };
}

/**
 * Why a GPU build may not start: the libraries its binary lacks, as `ldd` lists them (the
 * prebuilt CUDA build links CUDA 13's libcudart and libcublas, and the driver's libcuda).
 */
function backendHint(): string {
  if (gpu !== 'cuda') return '';
  const binary = resolve(
    'node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so',
  );
  if (!existsSync(binary)) return `${binary} is missing.`;
  const missing = (spawnSync('ldd', [binary], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((line) => line.includes('not found'))
    .map((line) => line.trim());
  return missing.length > 0
    ? `Its CUDA binary lacks ${missing.join('; ')}: add their folders to LD_LIBRARY_PATH (e.g. /usr/local/cuda/lib64, the driver's lib folder).`
    : 'Its CUDA binary finds all its libraries; is a GPU visible (nvidia-smi)?';
}

/** Plain node-llama-cpp: every layer offloaded, one context, raw evaluation and completion. */
async function plainRun(): Promise<{
  result: PathResult;
  backend: BackendInfo;
  longText: string;
  longTokens: number;
}> {
  const result: PathResult = { promptRates: new Map() };
  log('plain node-llama-cpp: starting the backend…');
  const [llama, startMs] = await timed(() =>
    getLlama({
      gpu,
      build: 'never',
      maxThreads: THREADS,
      logLevel: LlamaLogLevel.error,
      progressLogs: false,
    }).catch((error: unknown) => {
      throw new Error(
        `node-llama-cpp could not start its ${gpu || 'CPU'} build. ${backendHint()}`,
        {
          cause: error,
        },
      );
    }),
  );
  result.backendStartMs = startMs;
  const backend = await describeBackend(llama);
  log(`  backend: ${[backend.gpu || 'cpu', ...backend.devices].join(', ')}; loading the model…`);
  const [model, loadMs] = await timed(() => llama.loadModel({ modelPath, gpuLayers: 'max' }));
  result.loadMs = loadMs;
  result.gpuLayers = `${model.gpuLayers}/${model.fileInsights.totalLayers}`;
  result.vramUsed = (await llama.getVramState()).used;
  const [context, contextMs] = await timed(() =>
    model.createContext({ contextSize: CONTEXT_SIZE }),
  );
  result.contextMs = contextMs;
  const sequence = context.getSequence();
  // The first evaluation sets up kernels and buffers; keep it out of the rates.
  await sequence.evaluateWithoutGeneratingNewTokens(promptTokens(model, 32));
  for (const length of PROMPT_LENGTHS) {
    await sequence.clearHistory();
    const tokens = promptTokens(model, length);
    log(`  prompt processing: ${length} tokens…`);
    const [, evalMs] = await timed(() => sequence.evaluateWithoutGeneratingNewTokens(tokens));
    result.promptRates.set(String(length), (length / evalMs) * 1000);
  }
  await sequence.clearHistory();
  log(`  generating ${GEN_TOKENS} tokens…`);
  const completion = new LlamaCompletion({ contextSequence: sequence });
  let generated = 0;
  let firstAt = 0;
  const started = performance.now();
  const response = await completion.generateCompletionWithMeta(GENERATION_PROMPT, {
    maxTokens: GEN_TOKENS,
    temperature: 0,
    onToken: (tokens) => {
      if (generated === 0) firstAt = performance.now();
      generated += tokens.length;
    },
  });
  const ended = performance.now();
  result.ttftMs = firstAt - started;
  result.generatedTokens = generated;
  result.generationRate = ((generated - 1) / (ended - firstAt)) * 1000;
  if (response.metadata.stopReason !== 'maxTokens') {
    log(`  warning: generation stopped early (${response.metadata.stopReason})`);
  }
  // A text of about the longest prompt length, for the mind's prompt-processing run.
  const longText = model.detokenize(promptTokens(model, LONGEST_PROMPT).slice(1));
  const longTokens = model.tokenize(longText).length;
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return { result, backend, longText, longTokens };
}

/**
 * BAT OS's mind on the same file: load (validation, hashing, pool set-up), then replies
 * through `mind.chat` (free text, the same work as the plain completion) and a method
 * through `generateMethod` (under the method grammar, which costs extra per token).
 */
async function mindRun(longText: string, longTokens: number): Promise<PathResult> {
  const result: PathResult = { promptRates: new Map() };
  const config: MindConfig = {
    model: modelPath,
    modelsDir: join(resolve(args.out), 'models'),
    gpu,
    threads: THREADS,
    contextSize: CONTEXT_SIZE,
    memoryBudgetBytes: 64 * 2 ** 30,
    generationTimeoutMs: 30 * 60_000,
    maxMethodTokens: GEN_TOKENS,
    maxReplyTokens: GEN_TOKENS,
  };
  log('BAT OS mind: starting the backend…');
  const [llama, startMs] = await timed(() => sharedLlama(gpu, THREADS));
  result.backendStartMs = startMs;
  // A first start hashes the file for method provenance; later starts read the cache.
  log('  hashing the model (first start only)…');
  [, result.hashMs] = await timed(() => sha256OfFile(modelPath, config.modelsDir));
  log('  loading…');
  const [mind, loadMs] = await timed(() => Mind.load(config, { download: false }));
  result.loadMs = loadMs;
  result.vramUsed = (await llama.getVramState()).used;
  try {
    const reply = async (text: string): Promise<{ totalMs: number; ttftMs: number }> => {
      let firstAt = 0;
      const started = performance.now();
      await mind.chat({
        systemPrompt: 'Be brief.',
        history: [],
        text,
        onPartial: () => void (firstAt ||= performance.now()),
      });
      const ended = performance.now();
      return { totalMs: ended - started, ttftMs: (firstAt || ended) - started };
    };
    log('  first reply (creates the context)…');
    const first = await reply(GENERATION_PROMPT);
    log(`    ${ms(first.totalMs)}, first token after ${ms(first.ttftMs)}; second reply…`);
    const second = await reply(`${GENERATION_PROMPT} again`);
    log(`    ${ms(second.totalMs)}, first token after ${ms(second.ttftMs)}`);
    // The pool creates the context inside the first request; its first token bounds it.
    result.contextMs = first.ttftMs;
    result.ttftMs = second.ttftMs;
    result.generationRate = ((GEN_TOKENS - 1) / (second.totalMs - second.ttftMs)) * 1000;
    log(`  a reply to a ${longTokens}-token message…`);
    const long = await reply(longText);
    result.promptRates.set(String(LONGEST_PROMPT), (longTokens / long.ttftMs) * 1000);
    log('  a method under the method grammar…');
    const methodStarted = performance.now();
    try {
      const method = await mind.generateMethod({
        system: 'You write JavaScript methods.',
        user: 'Write display_yourself.',
      });
      result.methodTokens = method.tokens;
    } catch (error) {
      // Random weights rarely close the grammar's function before the token limit.
      if (!(error instanceof MindError && error.code === 'incomplete')) throw error;
      result.methodTokens = GEN_TOKENS;
    }
    result.methodRate = (result.methodTokens / (performance.now() - methodStarted)) * 1000;
  } finally {
    await mind.close();
  }
  return result;
}

function tableRows(plain: PathResult, mind: PathResult): Array<Record<string, string>> {
  const row = (metric: string, p: string | undefined, m: string | undefined) => ({
    metric,
    'node-llama-cpp': p ?? '—',
    'BAT OS mind': m ?? '—',
  });
  const opt = <T>(value: T | undefined, f: (v: T) => string): string | undefined =>
    value === undefined ? undefined : f(value);
  return [
    row('backend start (getLlama)', opt(plain.backendStartMs, ms), opt(mind.backendStartMs, ms)),
    row('model hash (first start only)', undefined, opt(mind.hashMs, ms)),
    row(
      'model load',
      opt(plain.loadMs, ms),
      opt(mind.loadMs, (v) => `${ms(v)} (incl. validation)`),
    ),
    row('layers on GPU', plain.gpuLayers, 'auto'),
    row('VRAM used after load', opt(plain.vramUsed, gib), opt(mind.vramUsed, gib)),
    row(
      `context creation (${CONTEXT_SIZE} tokens)`,
      opt(plain.contextMs, ms),
      opt(mind.contextMs, (v) => `≤ ${ms(v)} (first reply's time to first token)`),
    ),
    ...PROMPT_LENGTHS.map((length) =>
      row(
        `prompt processing, ${length} tokens`,
        opt(plain.promptRates.get(String(length)), rate),
        opt(mind.promptRates.get(String(length)), (v) => `${rate(v)} (via time to first token)`),
      ),
    ),
    row('time to first token (short prompt)', opt(plain.ttftMs, ms), opt(mind.ttftMs, ms)),
    row(
      `generation (${GEN_TOKENS} tokens, greedy)`,
      opt(plain.generationRate, (v) => `${rate(v)} (${plain.generatedTokens} generated)`),
      opt(mind.generationRate, rate),
    ),
    row(
      'method under the method grammar',
      undefined,
      opt(mind.methodRate, (v) => `${rate(v)} (${mind.methodTokens} tokens, incl. prompt)`),
    ),
  ];
}

async function main(): Promise<void> {
  const started = new Date();
  log(`forging ${shape.name} into ${modelPath}…`);
  let lastReported = -1;
  const forgeStarted = performance.now();
  const [forged, forgeMs] = await timed(() =>
    forgeLargeModel({
      outPath: modelPath,
      shape,
      onProgress: (written, total) => {
        const percent = Math.floor((written / total) * 20) * 5;
        if (percent === lastReported) return;
        lastReported = percent;
        log(`  ${percent}% of ${size(total)} (${ms(performance.now() - forgeStarted)})`);
      },
    }),
  );
  log(forged.written ? `  written in ${ms(forgeMs)}` : '  already there, same size: kept');

  const plain = await plainRun();
  const mind = await mindRun(plain.longText, plain.longTokens);

  const backend = plain.backend;
  const backendName = backend.gpu || 'cpu';
  const table = renderTable({
    title: `GPU check: ${shape.name} (${preset}), ${backendName}, ${started.toISOString()}`,
    rows: tableRows(plain.result, mind),
    notes: [
      `Backend: node-llama-cpp ${await nodeLlamaCppVersion()} reports gpu=${JSON.stringify(backend.gpu)}, devices: ${backend.devices.join(', ') || 'none'}, VRAM total ${gib(backend.vramTotal)}; ${backend.build} llama.cpp ${backend.release}.`,
      ...(gpu !== false && backend.gpu === false
        ? [
            'WARNING: a GPU was asked for but node-llama-cpp runs on the CPU: these are CPU numbers.',
          ]
        : []),
      `Model: ${size(forged.sizeBytes)}, n_embd ${shape.embeddingLength}, n_ff ${shape.feedForwardLength}, ${shape.blockCount} blocks, ${shape.headCount} heads / ${shape.headCountKv} KV, vocab ${shape.vocabSize}; Q4_0 pseudo-random weights, F32 norms; ${forged.written ? `forged in ${ms(forgeMs)}` : 'forged earlier'}.`,
      `Both paths in one process, one after the other; ${THREADS} CPU threads, context ${CONTEXT_SIZE} tokens, default batch size; the plain path offloads all layers ('max'), the mind uses node-llama-cpp's 'auto'.`,
      'Control tokens have all-zero output rows, so greedy generation never stops early: every run generates exactly the tokens asked for.',
      'Prompt processing (plain): one evaluation of that many ordinary tokens after a 32-token warm-up. Generation rate: tokens after the first, over the time after the first.',
      `Command: npx tsx bench/gpu.ts ${process.argv.slice(2).join(' ')}`,
    ],
  });
  process.stdout.write(`\n${table}`);
  const record = prettierTable(table);
  const dir = resolve(args.results);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `gpu-${started.toISOString().slice(0, 10)}-${preset}-${backendName}.md`);
  await writeFile(file, record);
  log(`written to ${file}`);
}

/** The table's separator row as Prettier writes it, so `prettier --check .` passes on the record. */
function prettierTable(markdown: string): string {
  return markdown.replace(
    /^\|(-+\|)+$/m,
    (line) =>
      `| ${line
        .slice(1, -1)
        .split('|')
        .map((cell) => '-'.repeat(cell.length - 2))
        .join(' | ')} |`,
  );
}

/** node-llama-cpp's version, from its package.json (which its exports map does not expose). */
async function nodeLlamaCppVersion(): Promise<string> {
  const url = new URL('../package.json', import.meta.resolve('node-llama-cpp'));
  return (JSON.parse(await readFile(fileURLToPath(url), 'utf8')) as { version: string }).version;
}

/** Folders of the packages `roots` need at run time, by Node's resolution from the repo root. */
function dependencyFolders(roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (folder: string): void => {
    if (seen.has(folder)) return;
    seen.add(folder);
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const name of Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
    })) {
      // Of node-llama-cpp's prebuilt binaries, only Linux x64 CPU and CUDA are wanted.
      if (/^@node-llama-cpp\/(?!linux-x64(-cuda)?$)/.test(name)) continue;
      for (let at = folder; ; at = dirname(at)) {
        const candidate = join(at, 'node_modules', name);
        if (existsSync(join(candidate, 'package.json'))) {
          visit(candidate);
          break;
        }
        if (dirname(at) === at) break;
      }
    }
  };
  for (const root of roots) visit(resolve('node_modules', root));
  return [...seen].map((folder) => relative(process.cwd(), folder)).sort();
}

/** Bytes per part: under the 64 MiB a device call carries, with room for the repo itself. */
const PART_BYTES = 56 * 2 ** 20;

/**
 * Writes Node.js (as `.rt/bin/node`) and the packages this script needs as a gzipped tar,
 * split into `<dir>/01/part`, `<dir>/02/part`, …, then prints how to carry and run it.
 */
async function packRuntime(dir: string): Promise<void> {
  const out = resolve(dir);
  const rel = relative(process.cwd(), out);
  // Only an earlier pack (folders 01, 02, …) is replaced; never anything else.
  const existing = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (rel === '' || existing.some((name) => !/^\d{2}$/.test(name))) {
    throw new Error(`--pack ${dir}: not an empty folder or an earlier pack; choose another`);
  }
  if (!rel.startsWith('..')) {
    // Inside the repo the parts must be ignored, or they would be committed and travel
    // with every device call.
    const ignored = spawnSync('git', ['check-ignore', '-q', `${rel}/x`]).status === 0;
    if (!ignored) {
      const exclude = spawnSync('git', ['rev-parse', '--git-path', 'info/exclude'], {
        encoding: 'utf8',
      }).stdout.trim();
      await appendFile(exclude, `/${rel}/\n`);
    }
  }
  await rm(out, { recursive: true, force: true });
  const folders = dependencyFolders(['node-llama-cpp', 'tsx']);
  const node = process.execPath;
  const tar = spawn(
    'tar',
    [
      '-cf',
      '-',
      `--transform=s,^${basename(node)}$,.rt/bin/node,`,
      // llama.cpp's source, for building from source, which this script never does.
      '--exclude=node_modules/node-llama-cpp/llama/gitRelease.bundle',
      '-C',
      dirname(node),
      basename(node),
      '-C',
      process.cwd(),
      ...folders,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const tarDone = new Promise<void>((done, fail) =>
    tar.on('close', (code) => (code === 0 ? done() : fail(new Error(`tar exited with ${code}`)))),
  );
  let parts = 0;
  let file: FileHandle | undefined;
  let inPart = PART_BYTES;
  for await (const chunk of tar.stdout.pipe(createGzip({ level: 6 })) as AsyncIterable<Buffer>) {
    for (let at = 0; at < chunk.length;) {
      if (inPart === PART_BYTES) {
        await file?.close();
        const folder = join(out, String(++parts).padStart(2, '0'));
        await mkdir(folder, { recursive: true });
        file = await open(join(folder, 'part'), 'w');
        inPart = 0;
      }
      const take = Math.min(chunk.length - at, PART_BYTES - inPart);
      await file!.write(chunk, at, take);
      at += take;
      inPart += take;
    }
  }
  await file?.close();
  await tarDone;
  const folderOf = (i: number): string => `${rel}/${String(i).padStart(2, '0')}`;
  // The CUDA build's libraries, wherever that machine keeps them (ldconfig, else a search).
  const libraries =
    'L=$(for n in libcublas.so.13 libcudart.so.13 libcuda.so.1; do f=$(ldconfig -p | awk -v n=$n \'$1==n{print $NF; exit}\'); [ -n "$f" ] || f=$(find /usr/local /opt /usr/lib -name $n 2>/dev/null | head -1); [ -n "$f" ] && dirname $f; done | sort -u | paste -sd:)';
  const unpack = `cat ${rel}/*/part | tar -xzf - && ${libraries} && export PATH=$PWD/.rt/bin:$PATH LD_LIBRARY_PATH=$L:\${LD_LIBRARY_PATH:-}`;
  const check =
    'node --import tsx bench/gpu.ts --preset 8b --gpu cuda --out /tmp/batos-gpu --results $OUT';
  const calls = Array.from({ length: parts }, (_, i) => ({
    carry: [folderOf(i + 1)],
    ...(i + 1 < parts
      ? { command: 'true' }
      : { timeout_s: 600, command: `${unpack} && nvidia-smi -L; ${check}` }),
  }));
  log(
    [
      `packed Node.js ${process.version} and ${folders.length} packages into ${parts} parts under ${rel}/`,
      'On the device machine, make these run calls one right after another (a warm machine',
      "keeps what earlier calls carried); the record comes back in the last call's $OUT:",
      ...calls.map((call) => JSON.stringify(call)),
    ].join('\n'),
  );
}

if (args.pack === undefined) await main();
else await packRuntime(args.pack);
