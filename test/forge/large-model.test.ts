import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaCompletion, LlamaLogLevel, readGgufFileInfo } from 'node-llama-cpp';
import type { GgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateModelFile } from '../../src/core/mind/index.ts';
import {
  dequantizeQ4_0,
  forgeLargeModel,
  GgmlType,
  ggufFileSize,
  LLAMA_3_1_8B_SHAPE,
  q4_0ByteLength,
  quantizeQ4_0,
  randomQ4_0Chunks,
  SMALL_SHAPE,
  str,
  writeGguf,
  writeGgufFile,
} from '../../tools/forge/index.ts';
import type { ForgedLargeModel } from '../../tools/forge/index.ts';
import {
  largeModelMetadata,
  largeModelTensors,
  largeVocabulary,
} from '../../tools/forge/large-model.ts';
import { fromF16Bits, toF16Bits } from '../../tools/forge/q4-0.ts';

/** Copies each chunk as it comes: the generator reuses one buffer. */
function concat(chunks: Iterable<Uint8Array>): Buffer {
  const copies: Buffer[] = [];
  for (const chunk of chunks) copies.push(Buffer.from(chunk));
  return Buffer.concat(copies);
}

describe('Q4_0', () => {
  it('converts to and from half precision', () => {
    for (const value of [0, 1, -2, 0.5, 65504, 1 / 3, 6e-8, -1e-3]) {
      expect(fromF16Bits(toF16Bits(value))).toBeCloseTo(value, 3);
    }
    expect(toF16Bits(1)).toBe(0x3c00);
    expect(toF16Bits(-2)).toBe(0xc000);
    expect(fromF16Bits(toF16Bits(1e6))).toBe(Infinity);
  });

  it('round-trips values within one quantisation step, as ggml quantises', () => {
    const values = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * (i < 32 ? 1 : 0.01));
    const bytes = quantizeQ4_0(values);
    expect(bytes.length).toBe(36);
    const back = dequantizeQ4_0(bytes);
    for (let block = 0; block < 2; block++) {
      const step = Math.abs(fromF16Bits(bytes.readUInt16LE(block * 18)));
      for (let j = block * 32; j < (block + 1) * 32; j++) {
        // Half a step, except the far end opposite the largest value, clipped to quant 15.
        expect(Math.abs(back[j]! - values[j]!)).toBeLessThanOrEqual(step + 1e-6);
      }
    }
  });

  it('needs a first dimension that is a multiple of 32', () => {
    expect(q4_0ByteLength([64, 3])).toBe(6 * 18);
    expect(() => q4_0ByteLength([48, 2])).toThrow(/multiple of 32/);
  });

  it('streams the same pseudo-random bytes whatever the chunk size, zeroing chosen rows', () => {
    const options = { elements: 64 * 10, seed: 7, scale: 0.1 } as const;
    const whole = concat(randomQ4_0Chunks(options));
    expect(whole.length).toBe(q4_0ByteLength([64, 10]));
    expect(concat(randomQ4_0Chunks({ ...options, chunkBytes: 40 }))).toEqual(whole);
    expect(concat(randomQ4_0Chunks({ ...options, seed: 8 }))).not.toEqual(whole);

    const values = dequantizeQ4_0(whole);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.filter((v) => v !== 0).length).toBeGreaterThan(values.length / 2);
    const rms = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
    expect(rms).toBeGreaterThan(0.05);
    expect(rms).toBeLessThan(0.2);

    const zeroed = dequantizeQ4_0(
      concat(randomQ4_0Chunks({ ...options, zeroRows: { rowLength: 64, rows: [3] } })),
    );
    expect(zeroed.subarray(3 * 64, 4 * 64).every((v) => v === 0)).toBe(true);
    expect(zeroed.subarray(0, 3 * 64)).toEqual(values.subarray(0, 3 * 64));
  });
});

describe('streamed GGUF writer', () => {
  it('writes the same bytes as writeGguf for F32 tensors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batos-gguf-stream-'));
    try {
      const metadata = [['general.architecture', str('llama')] as const];
      const data = Float32Array.from({ length: 5 }, (_, i) => i);
      const path = join(dir, 'f32.gguf');
      await writeGgufFile(path, metadata, [
        {
          name: 't',
          dims: [5],
          type: 'F32',
          byteLength: data.byteLength,
          chunks: () => [new Uint8Array(data.buffer, 0, 8), new Uint8Array(data.buffer, 8)],
        },
      ]);
      expect(await readFile(path)).toEqual(writeGguf(metadata, [{ name: 't', dims: [5], data }]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the Llama 3.1 8B preset', () => {
  it('has 8B shapes, all matrices Q4_0, about 4.5 GB', () => {
    const vocabulary = largeVocabulary(LLAMA_3_1_8B_SHAPE.vocabSize);
    expect(vocabulary.tokens.length).toBe(128256);
    expect(new Set(vocabulary.tokens).size).toBe(128256);
    const tensors = largeModelTensors(LLAMA_3_1_8B_SHAPE, vocabulary);
    expect(tensors.length).toBe(3 + 32 * 9);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    expect(byName.get('blk.31.attn_k.weight')).toMatchObject({ dims: [4096, 1024], type: 'Q4_0' });
    expect(byName.get('blk.0.ffn_down.weight')).toMatchObject({ dims: [14336, 4096] });
    expect(byName.get('output.weight')).toMatchObject({ dims: [4096, 128256], type: 'Q4_0' });
    const weights = tensors.reduce(
      (sum, t) => sum + (t.type === 'Q4_0' ? t.dims[0]! * t.dims[1]! : 0),
      0,
    );
    expect(weights / 1e9).toBeCloseTo(8.03, 2);
    const size = ggufFileSize(largeModelMetadata(LLAMA_3_1_8B_SHAPE, vocabulary), tensors);
    expect(size / 1e9).toBeGreaterThan(4.5);
    expect(size / 1e9).toBeLessThan(4.6);
  });
});

describe('a forged small model', () => {
  let dir: string;
  let forged: ForgedLargeModel;
  let info: GgufFileInfo;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batos-large-model-'));
    forged = await forgeLargeModel({ outPath: join(dir, 'small.gguf'), shape: SMALL_SHAPE });
    info = await readGgufFileInfo(forged.path, { readTensorInfo: true, logWarnings: false });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the shape in its metadata and Q4_0 matrices', async () => {
    expect(forged.written).toBe(true);
    expect((await stat(forged.path)).size).toBe(forged.sizeBytes);
    expect(info.metadata.general).toMatchObject({ architecture: 'llama', file_type: 2 });
    expect(info.architectureMetadata).toMatchObject({
      embedding_length: 256,
      feed_forward_length: 512,
      block_count: 2,
      attention: { head_count: 4, head_count_kv: 2 },
      vocab_size: 4096,
    });
    expect(info.metadata.tokenizer.ggml.tokens).toHaveLength(4096);
    const types = new Map(info.tensorInfo!.map((t) => [t.name, t.ggmlType as number]));
    expect(types.size).toBe(3 + 2 * 9);
    for (const [name, type] of types) {
      expect([name, type]).toEqual([
        name,
        name.endsWith('norm.weight') ? GgmlType.F32 : GgmlType.Q4_0,
      ]);
    }
    await expect(validateModelFile(forged.path)).resolves.toBeDefined();
  });

  it('holds pseudo-random weights, not zeros', async () => {
    const embedding = info.tensorInfo!.find((t) => t.name === 'token_embd.weight')!;
    const file = await open(forged.path);
    try {
      const bytes = Buffer.alloc(18 * 64);
      await file.read(bytes, 0, bytes.length, Number(embedding.fileOffset));
      const values = dequantizeQ4_0(bytes);
      expect(values.filter((v) => v !== 0).length).toBeGreaterThan(values.length / 2);
      expect(new Set(values).size).toBeGreaterThan(20);
    } finally {
      await file.close();
    }
  });

  it('is kept when forged again', async () => {
    const again = await forgeLargeModel({ outPath: forged.path, shape: SMALL_SHAPE });
    expect(again).toEqual({ ...forged, written: false });
  });

  it('loads in node-llama-cpp on the CPU and generates', async () => {
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      maxThreads: 1,
      logLevel: LlamaLogLevel.error,
    });
    const model = await llama.loadModel({ modelPath: forged.path });
    try {
      const context = await model.createContext({ contextSize: 256 });
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      const result = await completion.generateCompletionWithMeta('the quick brown fox', {
        maxTokens: 8,
        temperature: 0,
      });
      // Control tokens cannot win, so generation always runs to the limit.
      expect(result.metadata.stopReason).toBe('maxTokens');
      expect(result.response.length).toBeGreaterThan(0);
      await context.dispose();
    } finally {
      await model.dispose();
      await llama.dispose();
    }
  });
});
