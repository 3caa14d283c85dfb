/**
 * Reads the *types* of a GGUF file's metadata values. node-llama-cpp's `readGgufFileInfo`
 * returns values only, and 16 and 16.0 look alike in JavaScript, yet llama.cpp aborts the
 * whole process when, say, `adapter.lora.alpha` is an integer instead of FLOAT32. Its errors
 * are plain: validate.ts wraps each in the MindError that names the file.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** GGUF value type names, indexed by their number in the specification. */
const TYPE_NAMES = [
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'f32',
  'bool',
  'string',
  'array',
  'u64',
  'i64',
  'f64',
] as const;
export type GgufTypeName = (typeof TYPE_NAMES)[number];
/** Bytes of each fixed-size GGUF scalar type (the forge's writer uses the same table). */
export const FIXED_SIZE = {
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
} as const satisfies Partial<Record<GgufTypeName, number>>;

/** A metadata value's type; for arrays, also the element type. */
export interface GgufValueType {
  readonly type: GgufTypeName;
  readonly itemType?: GgufTypeName;
}

/** Sequential buffered reads from a file handle. */
class Cursor {
  private buffer = Buffer.alloc(0);
  private start = 0;
  private filePosition = 0;
  constructor(private readonly file: FileHandle) {}

  private async ensure(n: number): Promise<void> {
    if (this.buffer.length - this.start >= n) return;
    const rest = this.buffer.subarray(this.start);
    const chunk = Buffer.alloc(Math.max(n, 1 << 20));
    const { bytesRead } = await this.file.read(chunk, 0, chunk.length, this.filePosition);
    this.filePosition += bytesRead;
    this.buffer = Buffer.concat([rest, chunk.subarray(0, bytesRead)]);
    this.start = 0;
    if (this.buffer.length < n) throw new Error('the file ends inside its GGUF header');
  }

  async bytes(n: number): Promise<Buffer> {
    await this.ensure(n);
    const out = this.buffer.subarray(this.start, this.start + n);
    this.start += n;
    return out;
  }

  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE();
  }

  async u64(): Promise<number> {
    const value = (await this.bytes(8)).readBigUInt64LE();
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error('an implausible length in the GGUF header');
    return Number(value);
  }

  async skip(n: number): Promise<void> {
    // Skipping whole buffers keeps memory flat for large arrays.
    while (n > 0) {
      const step = Math.min(n, 1 << 20);
      await this.bytes(step);
      n -= step;
    }
  }

  async string(): Promise<string> {
    return (await this.bytes(await this.u64())).toString('utf8');
  }
}

function typeName(code: number): GgufTypeName {
  const name = TYPE_NAMES[code];
  if (name === undefined) throw new Error(`unknown GGUF value type ${code}`);
  return name;
}

async function skipValue(cursor: Cursor, type: GgufTypeName): Promise<void> {
  if (type === 'string') return cursor.skip(await cursor.u64());
  await cursor.skip(FIXED_SIZE[type as keyof typeof FIXED_SIZE]);
}

/** The type of every metadata key in a GGUF file, read from its header only. */
export async function readGgufValueTypes(path: string): Promise<Map<string, GgufValueType>> {
  const file = await open(path, 'r');
  try {
    const cursor = new Cursor(file);
    if ((await cursor.bytes(4)).toString('latin1') !== 'GGUF') throw new Error('not a GGUF file');
    const version = await cursor.u32();
    if (version < 2) throw new Error(`GGUF version ${version} is too old`);
    await cursor.u64();
    const count = await cursor.u64();
    const types = new Map<string, GgufValueType>();
    for (let i = 0; i < count; i++) {
      const key = await cursor.string();
      const type = typeName(await cursor.u32());
      if (type === 'array') {
        const itemType = typeName(await cursor.u32());
        const length = await cursor.u64();
        if (itemType === 'array') throw new Error(`${key}: nested arrays are not supported`);
        if (itemType === 'string')
          for (let j = 0; j < length; j++) await skipValue(cursor, 'string');
        else await cursor.skip(length * FIXED_SIZE[itemType as keyof typeof FIXED_SIZE]);
        types.set(key, { type, itemType });
      } else {
        await skipValue(cursor, type);
        types.set(key, { type });
      }
    }
    return types;
  } finally {
    await file.close();
  }
}
