/**
 * The steward end to end, with the real pm2 under a temporary PM2_HOME and a fixture bot in a
 * fixture git repository. The tests run in order and share one daemon: each starts from the
 * version the previous one left serving. A ReplyWatch keeps pinging the bot throughout, as a
 * user who keeps talking to it, so each upgrade's downtime is measured from the last reply
 * before to the first reply after (printed, never asserted: tests check behaviour).
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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
  signPayload,
  takeUpgradeResults,
  upgradeLayout,
  writeFileAtomic,
  writeUpgradeRequest,
  writeUpgradeResult,
} from '../../src/core/upgrade/index.ts';
import { fingerprintImage } from '../../src/steward/index.ts';
import { type FixtureRepo, createFixtureRepo, git } from '../support/fixtures/steward-app.ts';
import { Pm2Harness, ReplyWatch, freePort, signedResult, until } from '../support/pm2-harness.ts';

const KEY = 'test-key-0123456789abcdef';
const OBJECTS = 1204;

let root: string;
let fixture: FixtureRepo;
let pm2: Pm2Harness;
let image: string;
let layout: ReturnType<typeof upgradeLayout>;
let healthFile: string;
let watch: ReplyWatch;
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

const makeRequest = (id: string, steps: readonly UpgradeStep[], dryRun = false, now?: Date) =>
  createUpgradeRequest({
    id,
    steps,
    dryRun,
    requester: { platform: 'console', id: 'admin', name: 'Ada' },
    reportTo: { platform: 'console', channel: 'admin' },
    fromVersion: { version: 'unknown', revision: 'unknown' },
    ...(now ? { now } : {}),
  });

async function ask(steps: readonly UpgradeStep[], dryRun = false): Promise<UpgradeRequest> {
  seq += 1;
  const request = makeRequest(`u-${seq}`, steps, dryRun);
  await writeUpgradeRequest(layout.requests, request, KEY);
  return request;
}

async function resultOf(request: UpgradeRequest, timeoutMs = 40_000): Promise<UpgradeResult> {
  try {
    return await signedResult(layout.results, request.id, KEY, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nsteward log:\n${await pm2.stewardLog()}`);
  }
}

/** Publishes `tag`, asks for the default upgrade, and waits for its result. */
async function upgradeTo(tag: string): Promise<UpgradeResult> {
  await fixture.publish(tag);
  return resultOf(await ask(DEFAULT_STEPS));
}

async function serving(): Promise<{ version: string; revision: string; pid: number }> {
  const health = await until('a health file', () => readHealthFile(healthFile));
  expect(await pm2.pid('batos')).toBe(health.pid);
  return health;
}

/** What the pings saw while the bot of `pid` gave way, printed for the reader. */
function reportOutage(what: string, pid: number): void {
  const outage = watch.outage(pid);
  expect(outage).toBeDefined();
  console.info(`${what}: no reply for ${outage!.ms} ms`);
}

/** The replies since `since`, with the pid of each. */
const pidsSince = (since: number) => watch.repliesSince(since).map((r) => Number(r.split(' ')[1]));

/** Work trees of the fixture app (the second one must be gone after every upgrade). */
const workTrees = async () =>
  (await git(fixture.app, 'worktree', 'list', '--porcelain'))
    .split('\n')
    .filter((l) => l.startsWith('worktree '));

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'batos-steward-'));
  fixture = await createFixtureRepo(root);
  image = path.join(root, 'data', 'live_image.db');
  layout = upgradeLayout(path.join(root, 'data', 'upgrades'));
  // Where bot and steward both put it by default: beside the image.
  healthFile = path.join(root, 'data', 'health.json');
  const port = await freePort();
  pm2 = new Pm2Harness({
    home: path.join(root, 'pm2'),
    app: fixture.app,
    image,
    upgradeDir: path.join(root, 'data', 'upgrades'),
    key: KEY,
    objects: OBJECTS,
    logs: path.join(root, 'logs'),
    port,
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
  watch = new ReplyWatch(port).start();
});

afterAll(async () => {
  await watch?.stop();
  await pm2?.kill();
  await rm(root, { recursive: true, force: true });
});

describe('steward under pm2', () => {
  it('upgrades v1 to v2 (a new lock file: installed beside the running bot) and every object of the image is still there', async () => {
    const before = await serving();
    const result = await upgradeTo('v2');

    expect(result).toMatchObject({
      ok: true,
      rolledBack: false,
      imageRestored: false,
      objects: OBJECTS,
    });
    expect(result.downtimeMs).toEqual(expect.any(Number));
    expect(result.from).toEqual({ version: '1.0.0', revision: fixture.revisions.v1 });
    expect(result.to).toEqual({ version: '2.0.0', revision: fixture.revisions.v2 });
    expect(result.outcomes.map((o) => `${o.name}:${o.status}`)).toEqual([
      'git-pull:ok',
      'npm-ci:ok',
      'build:ok',
      'check:config:ok',
      'migrate:skipped',
    ]);
    const now = await serving();
    expect(now.version).toBe('2.0.0');
    expect(now.pid).not.toBe(before.pid);
    const image = snapshot();
    expect(image.objects).toEqual(expectedObjects);
    expect(image.tables).toContain('meta');
    // The dependencies installed in the second work tree now serve in the application folder.
    const dependency = path.join(fixture.app, 'node_modules', 'fixture-dep', 'package.json');
    expect(JSON.parse(await readFile(dependency, 'utf8'))).toMatchObject({ version: '2.0.0' });
    expect(await workTrees()).toHaveLength(1);
    expect(existsSync(layout.staging)).toBe(false);
    reportOutage('v1 → v2 (lock file changed)', before.pid);

    // The bot's side: the signed result is announced; a forged and a torn one beside it are not.
    await writeUpgradeResult(
      layout.results,
      { ...result, id: 'u-forged' },
      'forger-key-0123456789',
    );
    await writeFile(path.join(layout.results, 'u-torn.json'), '{"format": 1, "result": ');
    const said: string[] = [];
    const refused: string[] = [];
    await takeUpgradeResults(
      layout.results,
      KEY,
      async (r) => {
        said.push(formatUpgradeResult(r));
      },
      (file, reason) => refused.push(`${path.basename(file)}: ${reason}`),
    );
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      new RegExp(
        `^Upgrade u-1 done: 1\\.0\\.0 \\(${fixture.revisions.v1!.slice(0, 7)}\\) → 2\\.0\\.0 \\(${fixture.revisions.v2!.slice(0, 7)}\\); image intact, 1,204 objects; the bot was down [\\d.]+ s\\.$`,
      ),
    );
    expect(refused.sort()).toEqual([
      'u-forged.json: missing or bad signature',
      'u-torn.json: not JSON',
    ]);
    expect(await readdir(path.join(layout.results, 'reported'))).toEqual(['u-1.json']);
  });

  it('upgrades a one-document commit without npm ci, serving until the swap', async () => {
    const before = await serving();
    const asked = Date.now();
    const result = await upgradeTo('v2-doc');

    expect(result).toMatchObject({ ok: true, rolledBack: false, imageRestored: false });
    expect(result.to.revision).toBe(fixture.revisions['v2-doc']);
    expect(result.outcomes.find((o) => o.name === 'npm-ci')).toMatchObject({
      status: 'skipped',
      note: "package-lock.json unchanged: the running version's node_modules is reused",
    });
    expect(await readFile(path.join(fixture.app, 'README.md'), 'utf8')).toContain(
      'second paragraph',
    );
    // The build made beside the running bot came over with the swap.
    expect(await readFile(path.join(fixture.app, 'dist', 'built.txt'), 'utf8')).toBe(
      fixture.revisions['v2-doc'],
    );
    const now = await serving();
    expect(now.pid).not.toBe(before.pid);
    // The old bot answered after the request was filed; then only the new one did.
    const pids = pidsSince(asked);
    expect(pids[0]).toBe(before.pid);
    expect(pids.at(-1)).toBe(now.pid);
    expect(pids.slice(pids.indexOf(now.pid))).not.toContain(before.pid);
    expect(snapshot().objects).toEqual(expectedObjects);
    reportOutage('v2 → v2-doc (one document)', before.pid);
  });

  it('leaves the bot alone when there is nothing new', async () => {
    const before = await serving();
    const result = await upgradeTo('v2-doc');

    expect(result).toMatchObject({ ok: true, rolledBack: false, imageRestored: false });
    expect(result.to).toEqual(result.from);
    expect(result.downtimeMs).toBeUndefined();
    expect(result.outcomes.map((o) => `${o.name}:${o.status}`)).toEqual([
      'git-pull:ok',
      'npm-ci:skipped',
      'build:ok',
      'check:config:ok',
    ]);
    expect((await serving()).pid).toBe(before.pid);
    expect(formatUpgradeResult(result)).toMatch(
      /^Upgrade u-3: already at 2\.0\.0 .*the bot was not stopped\.$/,
    );
    expect(await workTrees()).toHaveLength(1);
  });

  it('sets aside odd, unsigned, forged, expired and replayed requests and leaves the bot alone; a dry run changes nothing', async () => {
    const pid = await pm2.pid('batos');
    const good = makeRequest('u-forged', DEFAULT_STEPS);
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
    execFileSync('mkfifo', [path.join(layout.requests, 'x.json')]);
    // Atomically too: the steward may look while a plain write is still under the limit.
    await writeFileAtomic(path.join(layout.requests, 'u-huge.json'), ' '.repeat(200_000));
    const old = makeRequest('u-old', DEFAULT_STEPS, false, new Date(Date.now() - 3_600_000));
    await writeUpgradeRequest(layout.requests, old, KEY);
    // A replay: the admin cleaned claimed/ and results/, an attacker drops u-1 in again.
    await rm(layout.claimed, { recursive: true, force: true });
    await rm(layout.results, { recursive: true, force: true });
    const replay = makeRequest('u-1', DEFAULT_STEPS);
    await writeFileAtomic(
      path.join(layout.requests, 'u-1.json'),
      JSON.stringify({ format: 1, request: replay, signature: signPayload(replay, KEY) }),
    );
    const dry = await ask(DEFAULT_STEPS, true);

    const rejected = await until('seven rejections', async () => {
      const names = (await readdir(layout.rejected)).filter((n) => n.endsWith('.reason.txt'));
      return names.length === 7 ? names : undefined;
    });
    const reasons = await Promise.all(
      rejected.map(
        async (n) =>
          `${n.replace(/^\d+-|\.reason\.txt$/g, '')}: ${await readFile(path.join(layout.rejected, n), 'utf8')}`,
      ),
    );
    expect(reasons.sort()).toEqual([
      'u-1.json: replay of request id u-1\n',
      'u-forged.json: missing or bad signature\n',
      'u-garbage.json: not JSON\n',
      'u-huge.json: skipped: too large: 200000 bytes (a channel file is at most 65536)\n',
      expect.stringMatching(/^u-old\.json: expired: issued .*; ask again\n$/),
      'u-unsigned.json: missing or bad signature\n',
      'x.json: skipped: a FIFO\n',
    ]);

    const result = await resultOf(dry);
    expect(result).toMatchObject({ ok: true, dryRun: true, rolledBack: false });
    expect(result.to).toEqual(result.from);
    expect(formatUpgradeResult(result)).toMatch(
      /^Upgrade u-4 dry run on 2\.0\.0 .*: would run git-pull, npm-ci, build, migrate \(skipped: no scripts.migrate\.ts\)\. Nothing was changed\.$/,
    );
    expect(await pm2.pid('batos')).toBe(pid);
    expect(await readdir(layout.requests)).toEqual([]);
    for (const id of ['u-forged', 'u-garbage', 'u-unsigned', 'u-old', 'u-1']) {
      await expect(readFile(path.join(layout.results, `${id}.json`))).rejects.toThrow();
    }
  });

  it('never stops the bot when the new version fails to build', async () => {
    const before = await serving();
    const asked = Date.now();
    const result = await upgradeTo('v4');

    expect(result).toMatchObject({
      ok: false,
      rolledBack: false,
      imageRestored: false,
      objects: OBJECTS,
      failure: { step: 'build', reason: 'exit code 2' },
    });
    expect(result.downtimeMs).toBeUndefined();
    expect(result.failure?.logTail).toContain('compile error: boom');
    expect(result.to).toEqual(result.from);
    expect(await git(fixture.app, 'rev-parse', 'HEAD')).toBe(fixture.revisions['v2-doc']);
    expect((await serving()).pid).toBe(before.pid);
    expect(new Set(pidsSince(asked))).toEqual(new Set([before.pid]));
    expect(await workTrees()).toHaveLength(1);
    const text = formatUpgradeResult(result);
    expect(text).toContain(
      'Upgrade u-5 failed at build: exit code 2. Nothing was changed; still 2.0.0',
    );
    expect(text).toContain('compile error: boom');
  });

  it('never stops the bot when the new version cannot load its configuration', async () => {
    const before = await serving();
    const result = await upgradeTo('v6');

    expect(result).toMatchObject({
      ok: false,
      rolledBack: false,
      imageRestored: false,
      failure: { step: 'check:config', reason: 'exit code 1' },
    });
    expect(result.failure?.logTail).toContain('config.json cannot be loaded');
    expect((await serving()).pid).toBe(before.pid);
    expect(formatUpgradeResult(result)).toContain('Nothing was changed; still 2.0.0');
  });

  it('rolls back a version that never becomes ready; an image nobody wrote is not restored', async () => {
    const before = await serving();
    const print = await fingerprintImage(image);
    const result = await upgradeTo('v7');

    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      rollbackOk: true,
      imageRestored: false,
      objects: OBJECTS,
      failure: { step: 'ready' },
    });
    expect(result.downtimeMs).toEqual(expect.any(Number));
    const now = await serving();
    expect(now.revision).toBe(fixture.revisions['v2-doc']);
    // v7's build came over with the swap; the rollback put v2-doc's back.
    expect(await readFile(path.join(fixture.app, 'dist', 'built.txt'), 'utf8')).toBe(
      fixture.revisions['v2-doc'],
    );
    expect(await fingerprintImage(image)).toBe(print);
    expect(formatUpgradeResult(result)).toContain('Rolled back to 2.0.0');
    expect(formatUpgradeResult(result)).toContain('image intact, 1,204 objects');
    reportOutage('v2-doc → v7 → rollback', before.pid);
  });

  it('rolls back a version that never becomes ready, restoring the image it touched', async () => {
    const before = snapshot();
    const result = await upgradeTo('v3');

    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      rollbackOk: true,
      imageRestored: true,
      objects: OBJECTS,
    });
    expect(result.failure?.step).toBe('ready');
    expect(result.failure?.reason).toMatch(/not ready within 5 s/);
    expect(result.failure?.logTail).toContain('v3: waiting for a model that never loads');
    expect((await serving()).revision).toBe(fixture.revisions['v2-doc']);
    expect(snapshot()).toEqual(before);
    expect(formatUpgradeResult(result)).toContain('image restored from backup, 1,204 objects');
  });

  it('discards the preparation when the steward is SIGKILLed in the middle of a build; the bot serves on', async () => {
    const before = await serving();
    await fixture.publish('v5');
    const stewardPid = await pm2.pid('batos-steward');
    const request = await ask(DEFAULT_STEPS);
    await until('the slow build to start', async () => {
      const state = JSON.parse(await readFile(layout.state, 'utf8')) as {
        running?: string;
        childPid?: number;
      };
      return state.running === 'build' && state.childPid !== undefined ? true : undefined;
    });
    const building = Date.now();
    process.kill(stewardPid!, 'SIGKILL');
    const result = await resultOf(request);

    expect(await pm2.pid('batos-steward')).not.toBe(stewardPid);
    expect(result).toMatchObject({ ok: false, rolledBack: false, objects: OBJECTS });
    expect(result.failure).toMatchObject({
      step: 'build',
      reason: 'the steward was interrupted during this step',
    });
    expect(await git(fixture.app, 'rev-parse', 'HEAD')).toBe(fixture.revisions['v2-doc']);
    expect((await serving()).pid).toBe(before.pid);
    expect(new Set(pidsSince(building))).toEqual(new Set([before.pid]));
    expect(snapshot().objects).toEqual(expectedObjects);
    expect(await workTrees()).toHaveLength(1);
    await expect(readFile(layout.state)).rejects.toThrow();
  });
});
