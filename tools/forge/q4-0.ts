/**
 * ggml's Q4_0 format and a fast seeded source of pseudo-random Q4_0 weights.
 *
 * A Q4_0 block holds 32 weights in 18 bytes: an f16 scale `d`, then 16 bytes of 4-bit
 * quants `q` (byte j holds weight j in its low nibble and weight j + 16 in its high
 * nibble); weight = (q − 8) · d.
 */

/** Weights per Q4_0 block. */
export const Q4_0_BLOCK = 32;
/** Bytes per Q4_0 block: an f16 scale and 16 bytes of nibbles. */
export const Q4_0_BLOCK_BYTES = 18;

/** Bytes of a Q4_0 tensor of this shape; its first (contiguous) dimension must be a multiple of 32. */
export function q4_0ByteLength(dims: readonly number[]): number {
  if (dims.length === 0 || dims[0]! % Q4_0_BLOCK !== 0) {
    throw new Error(
      `Q4_0 needs a first dimension that is a multiple of 32; got [${dims.join(', ')}]`,
    );
  }
  return (dims.reduce((a, b) => a * b, 1) / Q4_0_BLOCK) * Q4_0_BLOCK_BYTES;
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of `value` (round to nearest even; overflow becomes infinity). */
export function toF16Bits(value: number): number {
  f32[0] = value;
  const x = f32Bits[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let bits = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && bits & 1)) bits++;
    return sign | bits;
  }
  let bits = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && bits & 1)) bits++;
  return sign | bits;
}

/** The number whose IEEE half-precision bits are `bits`. */
export function fromF16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Quantises values to Q4_0 as ggml's reference quantiser does. */
export function quantizeQ4_0(values: Float32Array): Buffer {
  if (values.length % Q4_0_BLOCK !== 0) {
    throw new Error(`Q4_0 needs a multiple of 32 values; got ${values.length}`);
  }
  const out = Buffer.alloc((values.length / Q4_0_BLOCK) * Q4_0_BLOCK_BYTES);
  for (let block = 0; block * Q4_0_BLOCK < values.length; block++) {
    const base = block * Q4_0_BLOCK;
    // The value of largest magnitude maps to quant 0 (−8), keeping its sign.
    let max = 0;
    for (let j = 0; j < Q4_0_BLOCK; j++) {
      if (Math.abs(values[base + j]!) > Math.abs(max)) max = values[base + j]!;
    }
    const d = max / -8;
    const inverse = d ? 1 / d : 0;
    const at = block * Q4_0_BLOCK_BYTES;
    out.writeUInt16LE(toF16Bits(d), at);
    const quant = (x: number): number => Math.min(15, Math.trunc(x * inverse + 8.5));
    for (let j = 0; j < 16; j++) {
      out[at + 2 + j] = quant(values[base + j]!) | (quant(values[base + j + 16]!) << 4);
    }
  }
  return out;
}

/** Decodes Q4_0 bytes back to values (for tests and checks). */
export function dequantizeQ4_0(bytes: Uint8Array): Float32Array {
  if (bytes.length % Q4_0_BLOCK_BYTES !== 0) {
    throw new Error(`Q4_0 data must be whole 18-byte blocks; got ${bytes.length} bytes`);
  }
  const values = new Float32Array((bytes.length / Q4_0_BLOCK_BYTES) * Q4_0_BLOCK);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let block = 0; block * Q4_0_BLOCK_BYTES < bytes.length; block++) {
    const at = block * Q4_0_BLOCK_BYTES;
    const d = fromF16Bits(view.getUint16(at, true));
    for (let j = 0; j < 16; j++) {
      const byte = bytes[at + 2 + j]!;
      values[block * Q4_0_BLOCK + j] = ((byte & 0x0f) - 8) * d;
      values[block * Q4_0_BLOCK + j + 16] = ((byte >>> 4) - 8) * d;
    }
  }
  return values;
}

/** Seeded xorshift32: fast and reproducible; statistical quality is beside the point here. */
export class XorShift32 {
  private state: number;

  constructor(seed: number) {
    // Zero is xorshift's one fixed point.
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Fills `out` with pseudo-random 32-bit words. */
  fill(out: Uint32Array): void {
    let x = this.state;
    for (let i = 0; i < out.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x;
    }
    this.state = x >>> 0;
  }

  /** One pseudo-random 32-bit word. */
  next(): number {
    const one = new Uint32Array(1);
    this.fill(one);
    return one[0]!;
  }
}

export interface RandomQ4_0Options {
  /** Weights in the tensor (a multiple of 32). */
  readonly elements: number;
  readonly seed: number;
  /**
   * Typical size of a weight: block scales are drawn from [0.5, 1.5) × scale / 4.6, since
   * uniform quants (q − 8) have a standard deviation of about 4.6.
   */
  readonly scale: number;
  /** Bytes per yielded chunk (rounded down to whole pairs of blocks); default 8 MiB. */
  readonly chunkBytes?: number;
  /** Rows (runs of `rowLength` weights) whose scale is zero, so their weights are all 0. */
  readonly zeroRows?: { readonly rowLength: number; readonly rows: readonly number[] };
}

/**
 * Pseudo-random Q4_0 data, streamed in chunks that reuse one buffer (write each chunk before
 * asking for the next). Same options, same bytes.
 */
export function* randomQ4_0Chunks(options: RandomQ4_0Options): Generator<Uint8Array> {
  const { elements, seed, scale } = options;
  if (elements % Q4_0_BLOCK !== 0) throw new Error(`Q4_0 needs a multiple of 32 weights`);
  const totalBlocks = elements / Q4_0_BLOCK;
  // Pairs of blocks (36 bytes) keep every chunk a whole number of 32-bit words.
  const pairBytes = 2 * Q4_0_BLOCK_BYTES;
  const chunkBlocks = 2 * Math.max(1, Math.floor((options.chunkBytes ?? 8 * 2 ** 20) / pairBytes));
  const words = new Uint32Array((chunkBlocks * Q4_0_BLOCK_BYTES) / 4);
  const bytes = new Uint8Array(words.buffer);
  const halves = new Uint16Array(words.buffer);
  // 256 scales, picked per block by a random byte: cheaper than a conversion per block.
  const scales = Uint16Array.from({ length: 256 }, (_, i) =>
    toF16Bits(((0.5 + i / 256) * scale) / 4.6),
  );
  const zeroBlocks = new Set<number>();
  if (options.zeroRows) {
    const perRow = options.zeroRows.rowLength / Q4_0_BLOCK;
    if (!Number.isInteger(perRow)) throw new Error('zeroRows.rowLength must be a multiple of 32');
    for (const row of options.zeroRows.rows) {
      for (let b = 0; b < perRow; b++) zeroBlocks.add(row * perRow + b);
    }
  }
  const rng = new XorShift32(seed);
  for (let first = 0; first < totalBlocks; first += chunkBlocks) {
    const blocks = Math.min(chunkBlocks, totalBlocks - first);
    // Only the words this chunk uses, so the bytes do not depend on the chunk size.
    rng.fill(words.subarray(0, Math.ceil((blocks * Q4_0_BLOCK_BYTES) / 4)));
    // Block k's scale sits at byte 18k, i.e. 16-bit word 9k; its random low byte picks it.
    for (let k = 0; k < blocks; k++) halves[9 * k] = scales[halves[9 * k]! & 0xff]!;
    if (zeroBlocks.size > 0) {
      for (let k = 0; k < blocks; k++) if (zeroBlocks.has(first + k)) halves[9 * k] = 0;
    }
    yield bytes.subarray(0, blocks * Q4_0_BLOCK_BYTES);
  }
}
