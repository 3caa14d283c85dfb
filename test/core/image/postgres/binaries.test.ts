import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  findPostgresBinary,
  postgresBinDirs,
} from '../../../../src/core/image/postgres/binaries.ts';
import { tempDir } from '../../../support/temp.ts';

describe('findPostgresBinary', () => {
  it("finds this machine's pg_dump, a program that runs and says it is PostgreSQL's", () => {
    const pgDump = findPostgresBinary('pg_dump');
    expect(pgDump).toBeDefined();
    expect(execFileSync(pgDump!, ['--version'], { encoding: 'utf8' })).toMatch(
      /^pg_dump \(PostgreSQL\) \d+/,
    );
  });

  it('searches the given folders first, and skips a file that is not executable', () => {
    const first = tempDir();
    const second = tempDir();
    writeFileSync(join(first, 'pg_restore'), '#!/bin/sh\n');
    writeFileSync(join(second, 'pg_restore'), '#!/bin/sh\n');
    chmodSync(join(second, 'pg_restore'), 0o755);
    expect(postgresBinDirs({ dirs: [first, second] }).slice(0, 2)).toEqual([first, second]);
    expect(findPostgresBinary('pg_restore', { dirs: [first, second] })).toBe(
      join(second, 'pg_restore'),
    );
  });

  it('finds nothing for a program that is nowhere', () => {
    expect(findPostgresBinary('pg_no_such_program')).toBeUndefined();
  });
});
