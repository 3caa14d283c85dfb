/**
 * Result files as the bot meets them: only regular files of bounded size, signed by the
 * steward and well formed, are announced; each bad file is refused on its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type UpgradeResult,
  DEFAULT_STEPS,
  MAX_CHANNEL_FILE_BYTES,
  REFUSED_RESULTS,
  readBoundedFile,
  signPayload,
  takeUpgradeResults,
  writeUpgradeResult,
} from '../../../src/core/upgrade/index.ts';

const KEY = 'result-key-0123456789abcdef';
let dir: string;

const result = (id: string): UpgradeResult => ({
  id,
  ok: true,
  dryRun: false,
  requester: { platform: 'slack', id: 'U1', name: 'Ada' },
  reportTo: { platform: 'slack', channel: 'C1' },
  steps: DEFAULT_STEPS,
  outcomes: [],
  rolledBack: false,
  imageRestored: false,
  from: { version: '1.0.0', revision: 'a'.repeat(40) },
  to: { version: '1.1.0', revision: 'b'.repeat(40) },
  objects: 12,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:09.000Z',
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'batos-results-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readBoundedFile', () => {
  it('reads a regular file and skips a FIFO, a directory, a link and an oversized file', async () => {
    const plain = path.join(dir, 'plain.json');
    await writeFile(plain, '{"a":1}');
    expect(await readBoundedFile(plain)).toEqual({ ok: true, text: '{"a":1}' });

    const fifo = path.join(dir, 'x.json');
    execFileSync('mkfifo', [fifo]);
    expect(await readBoundedFile(fifo)).toEqual({ ok: false, reason: 'skipped: a FIFO' });
    await mkdir(path.join(dir, 'd.json'));
    expect(await readBoundedFile(path.join(dir, 'd.json'))).toEqual({
      ok: false,
      reason: 'skipped: a directory',
    });
    await symlink(plain, path.join(dir, 'l.json'));
    expect(await readBoundedFile(path.join(dir, 'l.json'))).toEqual({
      ok: false,
      reason: 'skipped: a symbolic link',
    });
    await writeFile(path.join(dir, 'big.json'), 'x'.repeat(MAX_CHANNEL_FILE_BYTES + 1));
    expect(await readBoundedFile(path.join(dir, 'big.json'))).toEqual({
      ok: false,
      reason: `skipped: too large: ${MAX_CHANNEL_FILE_BYTES + 1} bytes (a channel file is at most ${MAX_CHANNEL_FILE_BYTES})`,
    });
  });
});

describe('takeUpgradeResults with bad files beside good ones', () => {
  it('announces the signed results and refuses forged, unsigned, malformed and odd files, each on its own', async () => {
    await writeUpgradeResult(dir, result('u-good'), KEY);
    await writeUpgradeResult(dir, result('u-forged'), 'forger-key-0123456789abc');
    await writeFile(
      path.join(dir, 'u-unsigned.json'),
      JSON.stringify({ format: 1, result: result('u-unsigned') }),
    );
    await writeFile(path.join(dir, 'u-torn.json'), '{"format": 1, "result": {');
    const noFailure = { ...result('u-shape'), ok: false };
    await writeFile(
      path.join(dir, 'u-shape.json'),
      JSON.stringify({ format: 1, result: noFailure, signature: signPayload(noFailure, KEY) }),
    );
    execFileSync('mkfifo', [path.join(dir, 'u-fifo.json')]);
    await writeFile(path.join(dir, 'u-huge.json'), ' '.repeat(MAX_CHANNEL_FILE_BYTES * 2));
    await writeUpgradeResult(dir, result('u-later'), KEY);

    const announced: string[] = [];
    const refused: string[] = [];
    const reported = await takeUpgradeResults(
      dir,
      KEY,
      async (r) => {
        announced.push(r.id);
      },
      (file, reason) => refused.push(`${path.basename(file)}: ${reason}`),
    );

    expect(announced.sort()).toEqual(['u-good', 'u-later']);
    expect(reported.map((r) => r.id).sort()).toEqual(['u-good', 'u-later']);
    expect(refused.sort()).toEqual([
      'u-fifo.json: skipped: a FIFO',
      'u-forged.json: missing or bad signature',
      `u-huge.json: skipped: too large: ${MAX_CHANNEL_FILE_BYTES * 2} bytes (a channel file is at most ${MAX_CHANNEL_FILE_BYTES})`,
      'u-shape.json: signed but malformed: bad failure',
      'u-torn.json: not JSON',
      'u-unsigned.json: missing or bad signature',
    ]);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['reported', REFUSED_RESULTS]));
    expect((await readdir(dir)).filter((n) => n.endsWith('.json'))).toEqual([]);
    const kept = await readdir(path.join(dir, REFUSED_RESULTS));
    const forgedReason = kept.find((n) => n.endsWith('u-forged.json.reason.txt'))!;
    expect(await readFile(path.join(dir, REFUSED_RESULTS, forgedReason), 'utf8')).toBe(
      'missing or bad signature\n',
    );
    // Nothing is left to announce or refuse a second time.
    refused.length = 0;
    expect(
      await takeUpgradeResults(
        dir,
        KEY,
        async () => undefined,
        () => undefined,
      ),
    ).toEqual([]);
  });
});
