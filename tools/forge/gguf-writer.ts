/**
 * A small GGUF v3 writer: header, typed metadata, tensor infos and 32-byte aligned data.
 *
 * Only what the forge needs is supported (F32 tensors in memory, every metadata value type,
 * and {@link writeGgufFile} for multi-gigabyte files whose tensors are streamed as already
 * encoded bytes, e.g. Q4_0), so the project can write test models without a Python
 * toolchain or a dependency.
 */
import { open, rename, rm } from 'node:fs/promises';
import { FIXED_SIZE } from '../../src/core/mind/gguf/value-types.ts';

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

/** ggml tensor types the forge writes, numbered as in ggml. */
export const GgmlType = { F32: 0, F16: 1, Q4_0: 2 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

/** Where a tensor's bytes come from when they are streamed rather than held in memory. */
export interface GgufStreamedTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: GgmlTypeName;
  /** Exact size of the encoded data (padding excluded). */
  readonly byteLength: number;
  /**
   * Yields the encoded data in order. A yielded buffer is written before the next one is
   * asked for, so a generator may reuse one buffer for every chunk.
   */
  chunks(): Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

type TensorInfo = Pick<GgufStreamedTensor, 'name' | 'dims' | 'type' | 'byteLength'>;

const ALIGNMENT = 32;

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
    const b = Buffer.alloc(FIXED_SIZE[type]);
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

/** Header, metadata and tensor infos, padded to where the first tensor's data starts. */
function headerSink(
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly TensorInfo[],
): ByteSink {
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
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(GgmlType[tensor.type]);
    out.u64(offset);
    offset += paddedSize(tensor.byteLength);
  }
  out.pad();
  return out;
}

/** Bytes of the header and tensor infos, padded to the start of the data section. */
export function ggufHeader(
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly TensorInfo[],
): Buffer {
  const out = headerSink(metadata, tensors);
  return Buffer.concat(out.chunks, out.length);
}

/** The exact size of the file {@link writeGgufFile} writes for these tensors. */
export function ggufFileSize(
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly TensorInfo[],
): number {
  return (
    headerSink(metadata, tensors).length +
    tensors.reduce((sum, t) => sum + paddedSize(t.byteLength), 0)
  );
}

/**
 * Serialises a GGUF v3 file. Metadata keys keep the order given (llama.cpp does not care,
 * but a stable order keeps the output byte-identical between runs).
 */
export function writeGguf(
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly GgufTensor[],
): Buffer {
  for (const tensor of tensors) {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new Error(
        `tensor ${tensor.name}: ${tensor.data.length} values for shape [${tensor.dims.join(', ')}]`,
      );
    }
  }
  const out = headerSink(
    metadata,
    tensors.map((t) => ({
      name: t.name,
      dims: t.dims,
      type: 'F32',
      byteLength: t.data.byteLength,
    })),
  );
  for (const tensor of tensors) {
    out.push(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    out.pad();
  }
  return Buffer.concat(out.chunks, out.length);
}

/**
 * Writes a GGUF v3 file whose tensor data is streamed chunk by chunk, so memory stays
 * bounded however large the file. The file is written beside `path` and renamed into
 * place, so a reader never sees half a model. `onProgress` gets data bytes written so far.
 */
export async function writeGgufFile(
  path: string,
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly GgufStreamedTensor[],
  onProgress?: (written: number, total: number) => void,
): Promise<void> {
  const total = tensors.reduce((sum, t) => sum + t.byteLength, 0);
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    let position = 0;
    const write = async (bytes: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    };
    await write(ggufHeader(metadata, tensors));
    let written = 0;
    for (const tensor of tensors) {
      let length = 0;
      for await (const chunk of tensor.chunks()) {
        await write(chunk);
        length += chunk.length;
        written += chunk.length;
        onProgress?.(written, total);
      }
      if (length !== tensor.byteLength) {
        throw new Error(
          `tensor ${tensor.name}: ${length} bytes streamed, ${tensor.byteLength} declared`,
        );
      }
      const rest = paddedSize(length) - length;
      if (rest > 0) await write(new Uint8Array(rest));
    }
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await rename(temporary, path);
}
