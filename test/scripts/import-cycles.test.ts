import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCycle, importCycles, roomOf } from '../../scripts/import-cycles.ts';
import { REPO_ROOT } from '../support/run-batos.ts';
import { tempDir } from '../support/temp.ts';

/** Writes `files` (path → source) under a fresh folder and returns it. */
function project(files: Record<string, string>): string {
  const root = tempDir('batos-cycles-');
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return root;
}

describe('import cycles', () => {
  it('finds two files that import each other, type-only imports included', () => {
    const root = project({
      'a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'b.ts': "import type { A } from './c.ts';\nexport const b = 1 as A;\n",
      'c.ts': "import { a } from './a.ts';\nexport type A = typeof a;\n",
    });
    const [cycle, ...rest] = importCycles(root);
    expect(rest.filter((c) => c.kind === 'files')).toEqual([]);
    expect(cycle).toMatchObject({ kind: 'files', members: ['a.ts', 'b.ts', 'c.ts'] });
    expect(cycle!.path).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });

  it('finds rooms that import each other though their files do not, naming an import of each step', () => {
    const root = project({
      'core/image/image.ts': "import { accessOf } from '../access/object-access.ts';\n",
      'core/image/codec.ts': 'export type SlotMap = Map<string, number>;\n',
      'core/access/object-access.ts':
        "import type { SlotMap } from '../image/codec.ts';\nexport const accessOf = (s: SlotMap) => s;\n",
      'core/model/value.ts': 'export type Oid = number;\n',
    });
    const cycles = importCycles(root);
    expect(cycles.map((c) => c.kind)).toEqual(['rooms']);
    expect(cycles[0]!.members).toEqual(['core/access', 'core/image']);
    expect(describeCycle(cycles[0]!)).toContain(
      'core/access/object-access.ts → core/image/codec.ts',
    );
    expect(describeCycle(cycles[0]!)).toContain(
      'core/image/image.ts → core/access/object-access.ts',
    );
  });

  it('finds none where imports point one way', () => {
    const root = project({
      'main.ts': "import './core/uvm/uvm.ts';\n",
      'core/uvm/uvm.ts': "import '../image/image.ts';\nimport '../errors.ts';\n",
      'core/image/image.ts': "import '../errors.ts';\nimport './codec.ts';\n",
      'core/image/codec.ts': "import '../errors.ts';\n",
      'core/errors.ts': '',
    });
    expect(importCycles(root)).toEqual([]);
  });

  it("takes a house's subfolders as rooms, and a file in a house or the root as its own", () => {
    expect(roomOf(join('core', 'image', 'postgres', 'store.ts'))).toBe('core/image');
    expect(roomOf(join('core', 'errors.ts'))).toBe('core/errors.ts');
    expect(roomOf(join('personas', 'audit.ts'))).toBe('personas');
    expect(roomOf('main.ts')).toBe('main.ts');
  });

  it('keeps the project free of them', () => {
    for (const folder of ['src', 'scripts', 'bench', 'test'])
      expect(importCycles(join(REPO_ROOT, folder)).map(describeCycle)).toEqual([]);
  });
});
