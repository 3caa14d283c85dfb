/**
 * The steward end to end, with the real pm2 under a temporary PM2_HOME and a fixture bot in a
 * fixture git repository. The tests run in order and share one daemon: each starts from the
 * version the previous one left serving.
 */
import Database from 'better-sqlite3';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type UpgradeRequest,
  type UpgradeResult,
  type UpgradeStep,
  DEFAULT_STEPS,
  createUpgradeRequest,
  formatUpgradeResult,
  readHealthFile,
  readUpgradeResultFile,
  takeUpgradeResults,
  upgradeLayout,
  writeFileAtomic,
  writeUpgradeRequest,
} from '../../src/core/upgrade/index.ts';
import { type FixtureRepo, createFixtureRepo, git } from '../fixtures/steward/fixture-app.ts';
import { Pm2Harness, until } from './pm2-harness.ts';

const KEY = 'test-key-0123456789abcdef';
const OBJECTS = 1204;

let root: string;
let fixture: FixtureRepo;
let pm2: Pm2Harness;
let image: string;
let layout: ReturnType<typeof upgradeLayout>;
let healthFile: string;
let seq = 0;

/** Every object of the image, as one comparable list. */
function snapshot(): { objects: string[]; tables: string[] } {
  const db = new Database(image, { readonly: true });
  try {
    const objects = db.prepare('SELECT id, body FROM objects ORDER BY id').all() as {
      id: number;
      body: string;
    }[];
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all() as { name: string }[];
    return { objects: objects.map((o) => `${o.id}:${o.body}`), tables: tables.map((t) => t.name) };
  } finally {
    db.close();
  }
}

const expectedObjects = Array.from({ length: OBJECTS }, (_, i) => `${i + 1}:object ${i + 1}`);

async function ask(steps: readonly UpgradeStep[], dryRun = false): Promise<UpgradeRequest> {
  seq += 1;
  const request = createUpgradeRequest({
    id: `u-${seq}`,
    steps,
    dryRun,
    requester: { platform: 'console', id: 'admin', name: 'Ada' },
    reportTo: { platform: 'console', channel: 'admin' },
    fromVersion: { version: 'unknown', revision: 'unknown' },
  });
  await writeUpgradeRequest(layout.requests, request, KEY);
  return request;
}

async function resultOf(request: UpgradeRequest, timeoutMs = 40_000): Promise<UpgradeResult> {
  try {
    return await until(
      `the result of ${request.id}`,
      async () => {
        const read = await readUpgradeResultFile(
          path.join(layout.results, `${request.id}.json`),
          KEY,
        );
        return read.ok ? read.result : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nsteward log:\n${await pm2.stewardLog()}`);
  }
}

async function serving(): Promise<{ version: string; revision: string; pid: number }> {
  const health = await until('a health file', () => readHealthFile(healthFile));
  expect(await pm2.pid('batos')).toBe(health.pid);
  return health;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'batos-steward-'));
  fixture = await createFixtureRepo(root);
  image = path.join(root, 'data', 'live_image.db');
  layout = upgradeLayout(path.join(root, 'data', 'upgrades'));
  // Where bot and steward both put it by default: beside the image.
  healthFile = path.join(root, 'data', 'health.json');
  pm2 = new Pm2Harness({
    home: path.join(root, 'pm2'),
    app: fixture.app,
    image,
    upgradeDir: path.join(root, 'data', 'upgrades'),
    key: KEY,
    objects: OBJECTS,
    logs: path.join(root, 'logs'),
  });
  await pm2.start();
  await until('v1 to be ready', async () => {
    const health = await readHealthFile(healthFile);
    return health?.version === '1.0.0' && health.pid === (await pm2.pid('batos'))
      ? health
      : undefined;
  });
  await until('the steward to watch', async () =>
    (await pm2.stewardLog()).includes('watching') ? true : undefined,
  );
});

afterAll(async () => {
  await pm2?.kill();
  await rm(root, { recursive: true, force: true });
});

describe('steward under pm2', () => {
  it('upgrades v1 to v2 and every object of the image is still there', async () => {
    const before = await serving();
    await fixture.publish('v2');
    const request = await ask(DEFAULT_STEPS);
    const result = await resultOf(request);

    expect(result).toMatchObject({
      ok: true,
      rolledBack: false,
      imageRestored: false,
      objects: OBJECTS,
    });
    expect(result.from).toEqual({ version: '1.0.0', revision: fixture.revisions.v1 });
    expect(result.to).toEqual({ version: '2.0.0', revision: fixture.revisions.v2 });
    expect(result.outcomes.map((o) => `${o.name}:${o.status}`)).toEqual([
      'git-pull:ok',
      'npm-ci:ok',
      'build:ok',
      'migrate:skipped',
    ]);
    const now = await serving();
    expect(now.version).toBe('2.0.0');
    expect(now.pid).not.toBe(before.pid);
    const image = snapshot();
    expect(image.objects).toEqual(expectedObjects);
    expect(image.tables).toContain('meta');

    const said: string[] = [];
    const refused: string[] = [];
    await takeUpgradeResults(
      layout.results,
      KEY,
      async (r) => {
        said.push(formatUpgradeResult(r));
      },
      (file) => refused.push(file),
    );
    expect(refused).toEqual([]);
    expect(said).toEqual([
      `Upgrade u-1 done: 1.0.0 (${fixture.revisions.v1!.slice(0, 7)}) → 2.0.0 (${fixture.revisions.v2!.slice(0, 7)}); image intact, 1,204 objects.`,
    ]);
    expect(await readdir(path.join(layout.results, 'reported'))).toEqual(['u-1.json']);
  });

  it('rejects malformed, unsigned and forged requests and leaves the bot alone; a dry run changes nothing', async () => {
    const pid = await pm2.pid('batos');
    const good = createUpgradeRequest({
      id: 'u-forged',
      steps: DEFAULT_STEPS,
      requester: { platform: 'console', id: 'x', name: 'Mallory' },
      reportTo: { platform: 'console', channel: 'admin' },
      fromVersion: { version: '2.0.0', revision: 'x' },
    });
    await writeUpgradeRequest(layout.requests, good, 'some-other-key-0123456789');
    // Written atomically, as a careful forger would: a torn file would only read as "not JSON".
    await writeFileAtomic(
      path.join(layout.requests, 'u-garbage.json'),
      '{"format": 1, "request": ',
    );
    await writeFileAtomic(
      path.join(layout.requests, 'u-unsigned.json'),
      JSON.stringify({ format: 1, request: { ...good, id: 'u-unsigned' } }),
    );
    const dry = await ask(DEFAULT_STEPS, true);

    const rejected = await until('three rejections', async () => {
      const names = (await readdir(layout.rejected)).filter((n) => n.endsWith('.reason.txt'));
      return names.length === 3 ? names : undefined;
    });
    const reasons = await Promise.all(
      rejected.map((n) => readFile(path.join(layout.rejected, n), 'utf8')),
    );
    expect(reasons.sort()).toEqual([
      'missing or bad signature\n',
      'missing or bad signature\n',
      'not JSON\n',
    ]);

    const result = await resultOf(dry);
    expect(result).toMatchObject({ ok: true, dryRun: true, rolledBack: false });
    expect(result.to).toEqual(result.from);
    expect(formatUpgradeResult(result)).toMatch(
      /^Upgrade u-2 dry run on 2\.0\.0 .*: would run git-pull, npm-ci, build, migrate \(skipped: no src.core.image.migrate\.ts\)\. Nothing was changed\.$/,
    );
    expect(await pm2.pid('batos')).toBe(pid);
    expect(await readdir(layout.requests)).toEqual([]);
    for (const id of ['u-forged', 'u-garbage', 'u-unsigned']) {
      await expect(readFile(path.join(layout.results, `${id}.json`))).rejects.toThrow();
    }
  });

  it('rolls back when a step fails, and the report names the step', async () => {
    await fixture.publish('v4');
    const request = await ask([
      { name: 'git-pull', args: [] },
      { name: 'npm-ci', args: [] },
      { name: 'build', args: [] },
    ]);
    const result = await resultOf(request);

    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      rollbackOk: true,
      imageRestored: false,
      objects: OBJECTS,
    });
    expect(result.failure?.step).toBe('build');
    expect(result.failure?.logTail).toContain('compile error: boom');
    expect(result.to).toEqual({ version: '2.0.0', revision: fixture.revisions.v2 });
    expect(await git(fixture.app, 'rev-parse', 'HEAD')).toBe(fixture.revisions.v2);
    expect((await serving()).revision).toBe(fixture.revisions.v2);
    expect(snapshot().objects).toEqual(expectedObjects);
    const text = formatUpgradeResult(result);
    expect(text).toContain('Upgrade u-3 failed at build: exit code 2. Rolled back to 2.0.0');
    expect(text).toContain('compile error: boom');
  });

  it('rolls back a version that never becomes ready, restoring the image it touched', async () => {
    await fixture.publish('v3');
    const before = snapshot();
    const request = await ask(DEFAULT_STEPS);
    const result = await resultOf(request);

    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      rollbackOk: true,
      imageRestored: true,
      objects: OBJECTS,
    });
    expect(result.failure?.step).toBe('ready');
    expect(result.failure?.reason).toMatch(/not ready within 5 s/);
    expect(result.failure?.logTail).toContain('waiting for a model that never loads');
    expect((await serving()).revision).toBe(fixture.revisions.v2);
    expect(snapshot()).toEqual(before);
    expect(formatUpgradeResult(result)).toContain('image restored from backup, 1,204 objects');
  });

  it('finishes by rolling back when the steward is SIGKILLed in the middle of a step', async () => {
    await fixture.publish('v5');
    const stewardPid = await pm2.pid('batos-steward');
    const request = await ask(DEFAULT_STEPS);
    await until('the slow build to start', async () => {
      const state = JSON.parse(await readFile(layout.state, 'utf8')) as {
        stepIndex: number;
        childPid?: number;
      };
      return state.stepIndex === 2 && state.childPid !== undefined ? true : undefined;
    });
    process.kill(stewardPid!, 'SIGKILL');
    const result = await resultOf(request);

    expect(await pm2.pid('batos-steward')).not.toBe(stewardPid);
    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      rollbackOk: true,
      objects: OBJECTS,
    });
    expect(result.failure).toMatchObject({
      step: 'build',
      reason: 'the steward was interrupted during this step',
    });
    expect(await git(fixture.app, 'rev-parse', 'HEAD')).toBe(fixture.revisions.v2);
    expect((await serving()).version).toBe('2.0.0');
    expect(snapshot().objects).toEqual(expectedObjects);
    await expect(readFile(layout.state)).rejects.toThrow();
  });
});
