/**
 * The steward's parts on their own: config, image backup and restore, step commands with
 * time limits, the request inbox, and the upgrade runner with a fake process manager.
 */
import Database from 'better-sqlite3';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type UpgradeResult,
  DEFAULT_STEPS,
  createUpgradeRequest,
  formatUpgradeResult,
  upgradeLayout,
  writeUpgradeRequest,
} from '../../src/core/upgrade/index.ts';
import {
  type AppControl,
  Steward,
  UpgradeRunner,
  backupImage,
  claimNext,
  fingerprintImage,
  readStewardConfig,
  restoreImage,
  runCommand,
} from '../../src/steward/index.ts';
import { createFixtureRepo, git } from '../fixtures/steward/fixture-app.ts';
import { sleep, until } from './pm2-harness.ts';

const KEY = 'unit-test-key-0123456789';

/** Whether `pid` runs (a zombie left for a container's pid 1 to reap does not count). */
async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) Z/.test(stat);
}
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'batos-steward-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readStewardConfig', () => {
  it('needs a key, keeps it out of step environments, resolves paths against the app folder', () => {
    expect(() => readStewardConfig({}, dir)).toThrow(/BATOS_UPGRADE_KEY is not set/);
    expect(() => readStewardConfig({ BATOS_UPGRADE_KEY: 'short' }, dir)).toThrow(/at least 16/);
    const config = readStewardConfig(
      { BATOS_UPGRADE_KEY: KEY, BATOS_APP_DIR: 'app', PATH: '/bin' },
      dir,
    );
    expect(config).toMatchObject({
      appDir: path.join(dir, 'app'),
      imagePath: path.join(dir, 'app', 'data', 'live_image.db'),
      upgradeDir: path.join(dir, 'app', 'data', 'upgrades'),
      healthFile: path.join(dir, 'app', 'data', 'health.json'),
      appName: 'batos',
      readyTimeoutMs: 180_000,
    });
    expect(config.childEnv).toEqual({
      PATH: '/bin',
      BATOS_APP_DIR: 'app',
      GIT_TERMINAL_PROMPT: '0',
    });
  });
});

describe('image backup', () => {
  it('backs up the file and its WAL, notices any write, restores exactly', async () => {
    const image = path.join(dir, 'live_image.db');
    const db = new Database(image);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)');
    const backup = path.join(dir, 'backup');
    const print = await backupImage(image, backup);
    expect((await readdir(backup)).sort()).toContain('live_image.db-wal');
    expect(await fingerprintImage(image)).toBe(print);

    db.exec('INSERT INTO t VALUES (3)');
    db.close();
    expect(await fingerprintImage(image)).not.toBe(print);
    await restoreImage(image, backup);
    expect(await fingerprintImage(image)).toBe(print);
    const back = new Database(image, { readonly: true });
    expect(back.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    back.close();
  });

  it('treats a missing image as absent and restores the absence', async () => {
    const image = path.join(dir, 'none.db');
    expect(await backupImage(image, path.join(dir, 'b'))).toBe('absent');
    await writeFile(image, 'created by a new version');
    await restoreImage(image, path.join(dir, 'b'));
    await expect(readFile(image)).rejects.toThrow();
  });
});

describe('runCommand', () => {
  it('captures output and the exit code, without a shell', async () => {
    const log = path.join(dir, 'logs', 'x.log');
    const run = await runCommand(
      {
        file: process.execPath,
        args: ['-e', 'console.log("a;b $(c)"); process.exit(3)'],
        cwd: dir,
        timeoutMs: 10_000,
      },
      {},
      log,
    );
    expect(run).toMatchObject({
      ok: false,
      exitCode: 3,
      timedOut: false,
      reason: 'exit code 3',
      tail: 'a;b $(c)',
    });
    expect(await readFile(log, 'utf8')).toContain('a;b $(c)');
  });

  it('kills the whole process tree when the time is up', async () => {
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log('grandchild ' + c.pid); setInterval(() => {}, 1000);`;
    const run = await runCommand(
      { file: process.execPath, args: ['-e', script], cwd: dir, timeoutMs: 1_000 },
      {},
      path.join(dir, 'slow.log'),
    );
    expect(run).toMatchObject({ ok: false, timedOut: true, reason: 'timed out after 1 s' });
    const grandchild = Number(/grandchild (\d+)/.exec(run.tail)![1]);
    await sleep(200);
    expect(await alive(grandchild)).toBe(false);
  });

  it('reports a program that does not exist', async () => {
    const run = await runCommand(
      { file: 'no-such-program-xyz', args: [], cwd: dir, timeoutMs: 1_000 },
      {},
      path.join(dir, 'n.log'),
    );
    expect(run.ok).toBe(false);
    expect(run.tail).toMatch(/ENOENT/);
  });
});

describe('claimNext', () => {
  it('claims the oldest valid request, rejects bad and duplicate ones', async () => {
    const layout = upgradeLayout(dir);
    const make = (id: string, at: string) =>
      createUpgradeRequest({
        id,
        steps: DEFAULT_STEPS,
        requester: { platform: 'console', id: 'a', name: 'A' },
        reportTo: { platform: 'console', channel: 'c' },
        fromVersion: { version: '1', revision: 'r' },
        now: new Date(at),
      });
    await writeUpgradeRequest(layout.requests, make('u-2', '2026-01-02T00:00:00Z'), KEY);
    await writeUpgradeRequest(layout.requests, make('u-1', '2026-01-01T00:00:00Z'), KEY);
    await writeFile(path.join(layout.requests, 'u-9.json'), 'nonsense');
    await writeFile(path.join(layout.requests, '.tmp-u-3.json-abcd'), 'half written');
    const rejected: string[] = [];
    const onReject = (file: string, reason: string) =>
      rejected.push(`${path.basename(file)}: ${reason}`);

    expect((await claimNext(layout, KEY, onReject))?.request.id).toBe('u-1');
    expect(rejected).toEqual(['u-9.json: not JSON']);
    expect((await claimNext(layout, KEY, onReject))?.request.id).toBe('u-2');
    expect(await claimNext(layout, KEY, onReject)).toBeUndefined();

    await writeUpgradeRequest(layout.requests, make('u-1', '2026-01-03T00:00:00Z'), KEY);
    expect(await claimNext(layout, KEY, onReject)).toBeUndefined();
    expect(rejected[1]).toBe('u-1.json: duplicate request id u-1');
    expect((await readdir(layout.claimed)).sort()).toEqual(['u-1.json', 'u-2.json']);
    expect(await readdir(layout.requests)).toEqual(['.tmp-u-3.json-abcd']);
  });
});

describe('UpgradeRunner without pm2', () => {
  const layoutOf = (root: string) => upgradeLayout(path.join(root, 'upgrades'));
  const request = (id: string) =>
    createUpgradeRequest({
      id,
      steps: DEFAULT_STEPS,
      requester: { platform: 'console', id: 'a', name: 'A' },
      reportTo: { platform: 'console', channel: 'c' },
      fromVersion: { version: '1.0.0', revision: 'r' },
    });
  const control = (start: () => Promise<void>): AppControl => ({
    stop: async () => undefined,
    start,
    pid: async () => null,
    logFiles: async () => [],
    close: () => undefined,
  });

  it('says so when the rollback fails too, with the code put back', async () => {
    const fixture = await createFixtureRepo(dir);
    await fixture.publish('v2');
    const config = readStewardConfig(
      {
        BATOS_UPGRADE_KEY: KEY,
        BATOS_APP_DIR: fixture.app,
        BATOS_IMAGE: path.join(dir, 'img.db'),
        PATH: process.env.PATH,
      },
      dir,
    );
    const runner = new UpgradeRunner({
      config,
      layout: layoutOf(dir),
      control: control(async () => {
        throw new Error('pm2 is gone');
      }),
      log: () => undefined,
    });
    const result = await runner.run(request('u-1'));
    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      rollbackOk: false,
      failure: { step: 'start', reason: 'pm2 is gone' },
      rollbackFailure: 'start: pm2 is gone',
    });
    expect(await git(fixture.app, 'rev-parse', 'HEAD')).toBe(fixture.revisions.v1);
    expect(await readdir(path.join(layoutOf(dir).logs, 'u-1'))).toContain('rollback-npm-ci.log');
    expect(formatUpgradeResult(result)).toContain('Rollback to 1.0.0');
  });

  it('turns an unexpected error before any change into a result', async () => {
    const app = path.join(dir, 'not-a-repo');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), '{"version": "1.0.0"}');
    const config = readStewardConfig(
      {
        BATOS_UPGRADE_KEY: KEY,
        BATOS_APP_DIR: app,
        BATOS_STEWARD_RESCAN_MS: '100',
        PATH: process.env.PATH,
      },
      dir,
    );
    const layout = layoutOf(dir);
    const fatal: unknown[] = [];
    const steward = new Steward(
      { config, layout, control: control(async () => undefined), log: () => undefined },
      (e) => fatal.push(e),
    );
    await steward.start();
    try {
      await writeUpgradeRequest(layout.requests, request('u-2'), KEY);
      const result = await until(
        'a result',
        async () =>
          JSON.parse(
            await readFile(path.join(layout.results, 'u-2.json'), 'utf8'),
          ) as UpgradeResult,
      );
      expect(result).toMatchObject({
        ok: false,
        rolledBack: false,
        failure: { step: 'preflight' },
      });
      expect(result.failure?.reason).toMatch(/git/);
      expect(fatal).toEqual([]);
    } finally {
      steward.stop();
      await steward.idle();
    }
  });
});
