/**
 * A llama model with a real model's shapes and pseudo-random Q4_0 weights, for measuring
 * speed (GPU offload, prompt processing, generation) without downloading a model. Its
 * output is gibberish; only its size and arithmetic are real.
 *
 * The default shape is Llama 3.1 8B's (about 4.5 GB on disk); {@link SMALL_SHAPE} is a
 * few-megabyte model of the same layout for tests.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { array, bool, f32, ggufFileSize, str, u32, writeGgufFile } from './gguf-writer.ts';
import type { GgufStreamedTensor, GgufValue } from './gguf-writer.ts';
import { q4_0ByteLength, randomQ4_0Chunks } from './q4-0.ts';
import { buildVocabulary, CONTROL, SPACE_MARK } from './vocabulary.ts';
import type { Vocabulary } from './vocabulary.ts';

/** The hyperparameters of a llama-architecture model. */
export interface LargeModelShape {
  readonly name: string;
  readonly embeddingLength: number;
  readonly feedForwardLength: number;
  readonly blockCount: number;
  readonly headCount: number;
  readonly headCountKv: number;
  readonly vocabSize: number;
  /** Metadata only: the trained context length llama.cpp reports. */
  readonly contextLength: number;
  readonly ropeFreqBase: number;
  readonly rmsEpsilon: number;
}

/** Llama 3.1 8B's shapes. */
export const LLAMA_3_1_8B_SHAPE: LargeModelShape = {
  name: 'batos-random-llama-3.1-8b-q4_0',
  embeddingLength: 4096,
  feedForwardLength: 14336,
  blockCount: 32,
  headCount: 32,
  headCountKv: 8,
  vocabSize: 128256,
  contextLength: 131072,
  ropeFreqBase: 500000,
  rmsEpsilon: 1e-5,
};

/** The same layout, small enough for a CPU test (about 1.9 MB). */
export const SMALL_SHAPE: LargeModelShape = {
  name: 'batos-random-small-q4_0',
  embeddingLength: 256,
  feedForwardLength: 512,
  blockCount: 2,
  headCount: 4,
  headCountKv: 2,
  vocabSize: 4096,
  contextLength: 4096,
  ropeFreqBase: 500000,
  rmsEpsilon: 1e-5,
};

/** Presets by name, as the GPU bench's `--preset` takes them. */
export const LARGE_MODEL_PRESETS = { '8b': LLAMA_3_1_8B_SHAPE, small: SMALL_SHAPE } as const;
export type LargeModelPreset = keyof typeof LARGE_MODEL_PRESETS;

const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** `general.file_type` for "mostly Q4_0". */
const FILE_TYPE_MOSTLY_Q4_0 = 2;

/**
 * Synthetic pieces in breadth-first order (`▁`, `a`…`z`, then `▁a`…, `aa`…), so every
 * piece's prefixes come before it and each one adds exactly one token. Lower-case words
 * then tokenise into a few tokens each; anything else falls back to byte tokens.
 */
function* syntheticPieces(): Generator<string> {
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  let level = [SPACE_MARK, ...letters];
  for (;;) {
    yield* level;
    level = level.flatMap((piece) => letters.map((letter) => piece + letter));
  }
}

/** A SentencePiece-style vocabulary of exactly `size` tokens. */
export function largeVocabulary(size: number): Vocabulary {
  const fixed = 5 + 256; // control tokens and byte tokens, added by buildVocabulary
  if (size <= fixed + 27) throw new Error(`a vocabulary needs more than ${fixed + 27} tokens`);
  const pieces: string[] = [];
  for (const piece of syntheticPieces()) {
    if (pieces.length === size - fixed) break;
    pieces.push(piece);
  }
  const vocabulary = buildVocabulary(pieces);
  if (vocabulary.tokens.length !== size) {
    throw new Error(`built ${vocabulary.tokens.length} tokens, wanted ${size}`);
  }
  return vocabulary;
}

/** Metadata for the shape: llama architecture, "llama" tokenizer, ChatML template. */
export function largeModelMetadata(
  shape: LargeModelShape,
  vocabulary: Vocabulary,
): Array<[string, GgufValue]> {
  return [
    ['general.architecture', str('llama')],
    ['general.type', str('model')],
    ['general.name', str(shape.name)],
    ['general.file_type', u32(FILE_TYPE_MOSTLY_Q4_0)],
    ['llama.context_length', u32(shape.contextLength)],
    ['llama.embedding_length', u32(shape.embeddingLength)],
    ['llama.block_count', u32(shape.blockCount)],
    ['llama.feed_forward_length', u32(shape.feedForwardLength)],
    ['llama.attention.head_count', u32(shape.headCount)],
    ['llama.attention.head_count_kv', u32(shape.headCountKv)],
    ['llama.attention.layer_norm_rms_epsilon', f32(shape.rmsEpsilon)],
    ['llama.rope.dimension_count', u32(shape.embeddingLength / shape.headCount)],
    ['llama.rope.freq_base', f32(shape.ropeFreqBase)],
    ['llama.vocab_size', u32(shape.vocabSize)],
    ['tokenizer.ggml.model', str('llama')],
    ['tokenizer.ggml.tokens', array('string', vocabulary.tokens)],
    ['tokenizer.ggml.scores', array('f32', vocabulary.scores)],
    ['tokenizer.ggml.token_type', array('i32', vocabulary.types)],
    ['tokenizer.ggml.bos_token_id', u32(vocabulary.id(CONTROL.bos))],
    ['tokenizer.ggml.eos_token_id', u32(vocabulary.id(CONTROL.imEnd))],
    ['tokenizer.ggml.unknown_token_id', u32(vocabulary.id(CONTROL.unknown))],
    ['tokenizer.ggml.add_bos_token', bool(true)],
    ['tokenizer.ggml.add_eos_token', bool(false)],
    ['tokenizer.ggml.add_space_prefix', bool(false)],
    ['tokenizer.chat_template', str(CHATML_TEMPLATE)],
  ];
}

/** An F32 tensor of ones (the RMS norms), streamed like the rest. */
function onesTensor(name: string, length: number): GgufStreamedTensor {
  const data = new Float32Array(length).fill(1);
  return {
    name,
    dims: [length],
    type: 'F32',
    byteLength: data.byteLength,
    chunks: () => [new Uint8Array(data.buffer)],
  };
}

/**
 * The model's tensors: every matrix pseudo-random Q4_0, norms F32 ones. Each matrix's
 * weights have a spread of about 1/√(inputs), so activations stay near unit size through
 * all the blocks instead of overflowing f16 on a GPU.
 */
export function largeModelTensors(
  shape: LargeModelShape,
  vocabulary: Vocabulary,
  seed = 1,
): GgufStreamedTensor[] {
  const { embeddingLength: embd, feedForwardLength: ff, vocabSize } = shape;
  const kv = (embd / shape.headCount) * shape.headCountKv;
  // Control tokens get all-zero output rows: their logit stays 0 while the largest of the
  // random logits is well above it, so generation never stops early and every run
  // generates exactly the tokens asked for.
  const silent = [CONTROL.unknown, CONTROL.bos, CONTROL.eos, CONTROL.imStart, CONTROL.imEnd].map(
    (token) => vocabulary.id(token),
  );
  let tensorSeed = seed * 1000;
  const q4 = (
    name: string,
    dims: [number, number],
    scale: number,
    zeroRows?: readonly number[],
  ): GgufStreamedTensor => {
    const mySeed = ++tensorSeed;
    return {
      name,
      dims,
      type: 'Q4_0',
      byteLength: q4_0ByteLength(dims),
      chunks: () =>
        randomQ4_0Chunks({
          elements: dims[0] * dims[1],
          seed: mySeed,
          scale,
          ...(zeroRows ? { zeroRows: { rowLength: dims[0], rows: zeroRows } } : {}),
        }),
    };
  };
  const tensors = [
    q4('token_embd.weight', [embd, vocabSize], 1),
    onesTensor('output_norm.weight', embd),
    q4('output.weight', [embd, vocabSize], 1 / Math.sqrt(embd), silent),
  ];
  for (let block = 0; block < shape.blockCount; block++) {
    const p = `blk.${block}.`;
    const fromEmbd = 1 / Math.sqrt(embd);
    tensors.push(
      onesTensor(`${p}attn_norm.weight`, embd),
      q4(`${p}attn_q.weight`, [embd, embd], fromEmbd),
      q4(`${p}attn_k.weight`, [embd, kv], fromEmbd),
      q4(`${p}attn_v.weight`, [embd, kv], fromEmbd),
      q4(`${p}attn_output.weight`, [embd, embd], fromEmbd),
      onesTensor(`${p}ffn_norm.weight`, embd),
      q4(`${p}ffn_gate.weight`, [embd, ff], fromEmbd),
      q4(`${p}ffn_up.weight`, [embd, ff], fromEmbd),
      q4(`${p}ffn_down.weight`, [ff, embd], 1 / Math.sqrt(ff)),
    );
  }
  return tensors;
}

export interface ForgeLargeModelOptions {
  readonly outPath: string;
  /** Default: {@link LLAMA_3_1_8B_SHAPE}. */
  readonly shape?: LargeModelShape;
  /** Seeds the weights; same seed and shape, same bytes. */
  readonly seed?: number;
  /** Data bytes written so far, of `total`. */
  readonly onProgress?: (written: number, total: number) => void;
}

export interface ForgedLargeModel {
  readonly path: string;
  readonly sizeBytes: number;
  /** False when a file of exactly the expected size was already there. */
  readonly written: boolean;
}

/**
 * Writes a model of `shape` with pseudo-random Q4_0 weights to `outPath`, streaming the
 * data (memory stays bounded at a few tens of MB). Skips the work when a file of exactly
 * the expected size is already there: a half-written file never has it, since the writer
 * renames a finished file into place.
 */
export async function forgeLargeModel(options: ForgeLargeModelOptions): Promise<ForgedLargeModel> {
  const shape = options.shape ?? LLAMA_3_1_8B_SHAPE;
  checkShape(shape);
  const path = resolve(options.outPath);
  const vocabulary = largeVocabulary(shape.vocabSize);
  const metadata = largeModelMetadata(shape, vocabulary);
  const tensors = largeModelTensors(shape, vocabulary, options.seed ?? 1);
  const sizeBytes = ggufFileSize(metadata, tensors);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === sizeBytes) return { path, sizeBytes, written: false };
  await mkdir(dirname(path), { recursive: true });
  await writeGgufFile(path, metadata, tensors, options.onProgress);
  return { path, sizeBytes, written: true };
}

function checkShape(shape: LargeModelShape): void {
  const problems: string[] = [];
  if (shape.embeddingLength % shape.headCount !== 0) problems.push('heads must divide n_embd');
  if (shape.headCount % shape.headCountKv !== 0) problems.push('KV heads must divide heads');
  for (const [what, n] of [
    ['n_embd', shape.embeddingLength],
    ['n_ff', shape.feedForwardLength],
    ['KV width', (shape.embeddingLength / shape.headCount) * shape.headCountKv],
  ] as const) {
    if (n % 32 !== 0) problems.push(`${what} (${n}) must be a multiple of 32 for Q4_0`);
  }
  if (problems.length > 0) throw new Error(`bad model shape ${shape.name}: ${problems.join('; ')}`);
}
