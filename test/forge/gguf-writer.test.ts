import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { array, bool, f32, i32, str, u32, writeGguf } from '../../tools/forge/index.ts';
import type { GgufValue } from '../../tools/forge/index.ts';
import { readGgufValueTypes } from '../../src/core/mind/gguf/value-types.ts';
import { tempDir } from '../support/temp.ts';

describe('GGUF writer', () => {
  const dir = tempDir('batos-gguf-');

  it('round-trips metadata of every type and tensors through readGgufFileInfo', async () => {
    const metadata: Array<[string, GgufValue]> = [
      ['general.architecture', str('llama')],
      ['general.name', str('round trip ✓')],
      ['a.u8', { type: 'u8', value: 200 }],
      ['a.i8', { type: 'i8', value: -100 }],
      ['a.u16', { type: 'u16', value: 60000 }],
      ['a.i16', { type: 'i16', value: -30000 }],
      ['a.u32', u32(4_000_000_000)],
      ['a.i32', i32(-2_000_000_000)],
      ['a.f32', f32(0.5)],
      ['a.bool', bool(true)],
      ['a.u64', { type: 'u64', value: 2n ** 40n }],
      ['a.i64', { type: 'i64', value: -(2n ** 40n) }],
      ['a.f64', { type: 'f64', value: 0.1 }],
      ['a.strings', array('string', ['x', 'yy', ''])],
      ['a.floats', array('f32', [1, 2.5])],
    ];
    const tensors = [
      { name: 'odd', dims: [3], data: new Float32Array([1, 2, 3]) },
      { name: 'matrix', dims: [4, 2], data: new Float32Array(8).fill(7) },
    ];
    const path = join(dir, 'round-trip.gguf');
    await writeFile(path, writeGguf(metadata, tensors));

    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    const m = info.metadata as unknown as Record<string, Record<string, unknown>>;
    expect(m.general).toMatchObject({ architecture: 'llama', name: 'round trip ✓' });
    expect(m.a).toMatchObject({
      u8: 200,
      i8: -100,
      u16: 60000,
      i16: -30000,
      u32: 4_000_000_000,
      i32: -2_000_000_000,
      f32: 0.5,
      bool: true,
      u64: 2n ** 40n,
      i64: -(2n ** 40n),
      f64: 0.1,
      strings: ['x', 'yy', ''],
      floats: [1, 2.5],
    });
    expect(info.tensorInfo!.map((t) => [t.name, t.dimensions, t.ggmlType, t.offset])).toEqual([
      ['odd', [3], 0, 0],
      ['matrix', [4, 2], 0, 32],
    ]);
    expect(Number(info.tensorInfo![0]!.fileOffset) % 32).toBe(0);

    const types = await readGgufValueTypes(path);
    expect(types.get('a.f32')).toEqual({ type: 'f32' });
    expect(types.get('a.u32')).toEqual({ type: 'u32' });
    expect(types.get('a.strings')).toEqual({ type: 'array', itemType: 'string' });
  });

  it('refuses a tensor whose data does not match its shape', () => {
    expect(() => writeGguf([], [{ name: 't', dims: [2, 2], data: new Float32Array(3) }])).toThrow(
      /shape/,
    );
  });
});
