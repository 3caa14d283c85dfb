/**
 * A small GGUF v3 writer: header, typed metadata, tensor infos and 32-byte aligned F32 data.
 *
 * Only what the forge needs is supported (F32 tensors, every metadata value type), so the
 * project can write test models without a Python toolchain or a dependency.
 */

/** GGUF metadata value types, numbered as in the specification. */
export const GgufType = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof GgufType, 'array'>;

/** One typed metadata value. Arrays hold scalars of one type. */
export type GgufValue =
  | { readonly type: GgufScalarType; readonly value: number | bigint | boolean | string }
  | {
      readonly type: 'array';
      readonly itemType: GgufScalarType;
      readonly values: readonly (number | bigint | boolean | string)[];
    };

/** An F32 tensor; `dims` lists the contiguous dimension first, as GGUF does. */
export interface GgufTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

const ALIGNMENT = 32;
const GGML_TYPE_F32 = 0;

export const u32 = (value: number): GgufValue => ({ type: 'u32', value });
export const i32 = (value: number): GgufValue => ({ type: 'i32', value });
export const f32 = (value: number): GgufValue => ({ type: 'f32', value });
export const bool = (value: boolean): GgufValue => ({ type: 'bool', value });
export const str = (value: string): GgufValue => ({ type: 'string', value });
export const array = (
  itemType: GgufScalarType,
  values: readonly (number | bigint | boolean | string)[],
): GgufValue => ({ type: 'array', itemType, values });

/** Appends little-endian values to a list of chunks. */
class ByteSink {
  readonly chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  u32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }

  u64(value: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }

  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }

  scalar(type: GgufScalarType, value: number | bigint | boolean | string): void {
    if (type === 'string') return this.string(String(value));
    const sizes = {
      u8: 1,
      i8: 1,
      u16: 2,
      i16: 2,
      u32: 4,
      i32: 4,
      f32: 4,
      bool: 1,
      u64: 8,
      i64: 8,
      f64: 8,
    };
    const b = Buffer.alloc(sizes[type]);
    switch (type) {
      case 'u8':
        b.writeUInt8(Number(value));
        break;
      case 'i8':
        b.writeInt8(Number(value));
        break;
      case 'u16':
        b.writeUInt16LE(Number(value));
        break;
      case 'i16':
        b.writeInt16LE(Number(value));
        break;
      case 'u32':
        b.writeUInt32LE(Number(value));
        break;
      case 'i32':
        b.writeInt32LE(Number(value));
        break;
      case 'f32':
        b.writeFloatLE(Number(value));
        break;
      case 'bool':
        b.writeUInt8(value ? 1 : 0);
        break;
      case 'u64':
        b.writeBigUInt64LE(BigInt(value));
        break;
      case 'i64':
        b.writeBigInt64LE(BigInt(value));
        break;
      case 'f64':
        b.writeDoubleLE(Number(value));
        break;
    }
    this.push(b);
  }

  pad(): void {
    const rest = (ALIGNMENT - (this.length % ALIGNMENT)) % ALIGNMENT;
    if (rest > 0) this.push(Buffer.alloc(rest));
  }
}

const paddedSize = (bytes: number): number => Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;

/**
 * Serialises a GGUF v3 file. Metadata keys keep the order given (llama.cpp does not care,
 * but a stable order keeps the output byte-identical between runs).
 */
export function writeGguf(
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly GgufTensor[],
): Buffer {
  const out = new ByteSink();
  out.push(Buffer.from('GGUF', 'ascii'));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    out.string(key);
    out.u32(GgufType[value.type]);
    if (value.type === 'array') {
      out.u32(GgufType[value.itemType]);
      out.u64(value.values.length);
      for (const item of value.values) out.scalar(value.itemType, item);
    } else {
      out.scalar(value.type, value.value);
    }
  }
  let offset = 0;
  for (const tensor of tensors) {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new Error(
        `tensor ${tensor.name}: ${tensor.data.length} values for shape [${tensor.dims.join(', ')}]`,
      );
    }
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(GGML_TYPE_F32);
    out.u64(offset);
    offset += paddedSize(tensor.data.byteLength);
  }
  out.pad();
  for (const tensor of tensors) {
    out.push(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    out.pad();
  }
  return Buffer.concat(out.chunks, out.length);
}
