import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_STEPS,
  canonicalJson,
  createUpgradeRequest,
  readUpgradeRequestFile,
  signPayload,
  verifyPayload,
  writeUpgradeRequest,
} from '../../../src/core/upgrade/index.ts';

const KEY = 'k'.repeat(32);
let dir: string;

const request = (id = 'u-17') =>
  createUpgradeRequest({
    id,
    steps: DEFAULT_STEPS,
    requester: { platform: 'discord', id: '42', name: 'Ada' },
    reportTo: { platform: 'discord', channel: 'admin', thread: 't1' },
    fromVersion: { version: '1.2.0', revision: 'a1b2c3d4' },
    now: new Date('2026-01-02T03:04:05Z'),
  });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'batos-channel-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('signing', () => {
  it('signs canonical JSON, so key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const sig = signPayload({ b: 1, a: 2 }, KEY);
    expect(verifyPayload({ a: 2, b: 1 }, sig, KEY)).toBe(true);
    expect(verifyPayload({ a: 2, b: 2 }, sig, KEY)).toBe(false);
    expect(verifyPayload({ a: 2, b: 1 }, sig, 'another key, also long')).toBe(false);
    expect(verifyPayload({ a: 2, b: 1 }, undefined, KEY)).toBe(false);
    expect(verifyPayload({ a: 2, b: 1 }, 'zz', KEY)).toBe(false);
  });

  it('refuses short keys', () => {
    expect(() => signPayload({}, 'short')).toThrow(/at least 16/);
  });
});

describe('request files', () => {
  it('round-trips a signed request written atomically', async () => {
    const file = await writeUpgradeRequest(dir, request(), KEY);
    expect(file).toBe(path.join(dir, 'u-17.json'));
    expect(await readdir(dir)).toEqual(['u-17.json']);
    expect(await readUpgradeRequestFile(file, KEY)).toEqual({ ok: true, request: request() });
  });

  it('rejects a changed request, a forged or missing signature, and a renamed file', async () => {
    const file = await writeUpgradeRequest(dir, request(), KEY);
    const envelope = JSON.parse(await readFile(file, 'utf8'));

    await writeFile(
      file,
      JSON.stringify({ ...envelope, request: { ...envelope.request, dryRun: true } }),
    );
    expect(await readUpgradeRequestFile(file, KEY)).toEqual({
      ok: false,
      reason: 'missing or bad signature',
    });

    await writeFile(file, JSON.stringify({ format: 1, request: envelope.request }));
    expect(await readUpgradeRequestFile(file, KEY)).toEqual({
      ok: false,
      reason: 'missing or bad signature',
    });

    await writeUpgradeRequest(dir, request(), 'forger-key-0123456789');
    expect(await readUpgradeRequestFile(file, KEY)).toEqual({
      ok: false,
      reason: 'missing or bad signature',
    });

    await writeUpgradeRequest(dir, request(), KEY);
    await rename(file, path.join(dir, 'u-18.json'));
    expect(await readUpgradeRequestFile(path.join(dir, 'u-18.json'), KEY)).toEqual({
      ok: false,
      reason: 'file name does not match the request id',
    });
  });

  it('rejects what is not JSON and what is signed but not an allowed request', async () => {
    const file = path.join(dir, 'u-1.json');
    await writeFile(file, '{"format": 1,');
    expect(await readUpgradeRequestFile(file, KEY)).toEqual({ ok: false, reason: 'not JSON' });

    const evil = { ...request('u-1'), steps: [{ name: 'sh', args: ['-c', 'rm -rf /'] }] };
    await writeFile(
      file,
      JSON.stringify({ format: 1, request: evil, signature: signPayload(evil, KEY) }),
    );
    expect(await readUpgradeRequestFile(file, KEY)).toEqual({
      ok: false,
      reason: "signed but malformed: unknown step 'sh'",
    });
  });

  it('refuses to create requests with bad ids or steps', () => {
    expect(() => request('../../etc')).toThrow(/bad id/);
    expect(() =>
      createUpgradeRequest({
        steps: [{ name: 'pull-model', args: ['$(x)'] }],
        requester: { platform: 'console', id: 'a', name: 'A' },
        reportTo: { platform: 'console', channel: 'c' },
        fromVersion: { version: '1', revision: 'r' },
      }),
    ).toThrow(/pull-model needs exactly one model id/);
    expect(createUpgradeRequest({ ...request(), id: undefined }).id).toMatch(/^u-[0-9a-f]{6}$/);
  });
});
