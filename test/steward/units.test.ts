/**
 * The steward's parts on their own: config, image backup and restore, step commands with
 * time limits, the request inbox, and the upgrade runner with a fake process manager.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Image } from '../../src/core/image/index.ts';
import {
  type AppFacts,
  type SkippedStep,
  type StepCommand,
  type UpgradeLayout,
  DEFAULT_STEPS,
  createUpgradeRequest,
  formatUpgradeResult,
  readUpgradeResultFile,
  resolveConfigCheck,
  resolveStepCommand,
  signPayload,
  upgradeLayout,
  writeUpgradeRequest,
  writeUpgradeResult,
} from '../../src/core/upgrade/index.ts';
import {
  type AppControl,
  type InboxReports,
  type Phase,
  Steward,
  UpgradeRunner,
  backupImage,
  claimNext,
  fingerprintImage,
  openReplayMemory,
  restoreImage,
  runCommand,
  saveState,
  workTree,
} from '../../src/steward/index.ts';
import { freshPostgresDatabase } from '../support/images.ts';
import { createFixtureRepo, git } from '../support/fixtures/steward-app.ts';
import { sleep, until } from '../support/pm2-harness.ts';
import { readStewardConfig } from '../support/configs.ts';

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
/** The permission bits of `file`: the steward's files are 0600, folders it makes 0700. */
const modeOf = (file: string): number => statSync(file).mode & 0o777;

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
      requestExpiryMs: 600_000,
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

  it('backs up a PostgreSQL image with pg_dump and restores it when the schema changed', async () => {
    const url = await freshPostgresDatabase();
    const image = await Image.open(url);
    const tx = image.begin({ who: 'console:test', platform: 'console' });
    tx.create([['n', { kind: 'value', value: 1 }]]);
    await image.commit(tx);
    await image.close();
    const backup = path.join(dir, 'backup');
    const print = await backupImage(url, backup);
    expect(print).toMatch(/^schema:0001_initial,0002_owners,0003_/);
    expect(await readdir(backup)).toEqual(['image.dump']);
    // Other processes write all along: only a change of schema is the upgrade's doing.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`UPDATE objects SET slots = '[]'`);
    expect(await fingerprintImage(url)).toBe(print);
    await client.query(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_new', 'now')`);
    await client.end();
    expect(await fingerprintImage(url)).not.toBe(print);
    await restoreImage(url, backup);
    expect(await fingerprintImage(url)).toBe(print);
    const back = await Image.open(url);
    expect(back.read(0)!.get('n')).toEqual({ kind: 'value', value: 1 });
    await back.close();
  });

  it('keeps backups 0600 in a folder made 0700, and a restored image 0600, even from a readable image', async () => {
    const image = path.join(dir, 'live_image.db');
    const db = new Database(image);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    db.close();
    // Left WAL behind by hand (close checkpoints it away): a stopped bot's leftover.
    await writeFile(`${image}-wal`, 'wal bytes');
    chmodSync(image, 0o644);
    chmodSync(`${image}-wal`, 0o644);
    const backup = path.join(dir, 'upgrades', 'backups', 'u-1');
    const print = await backupImage(image, backup);
    expect(modeOf(path.join(dir, 'upgrades'))).toBe(0o700);
    expect(modeOf(path.join(dir, 'upgrades', 'backups'))).toBe(0o700);
    expect(modeOf(backup)).toBe(0o700);
    expect(modeOf(path.join(backup, 'live_image.db'))).toBe(0o600);
    expect(modeOf(path.join(backup, 'live_image.db-wal'))).toBe(0o600);

    await writeFile(image, 'written by a failed new version');
    await restoreImage(image, backup);
    expect(await fingerprintImage(image)).toBe(print);
    expect(modeOf(image)).toBe(0o600);
    expect(modeOf(`${image}-wal`)).toBe(0o600);
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
    expect(modeOf(log)).toBe(0o600);
    expect(modeOf(path.dirname(log))).toBe(0o700);
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

describe("the steward's files", () => {
  it('writes its state, results and replay memory 0600 in folders it makes 0700', async () => {
    const layout = upgradeLayout(path.join(dir, 'data', 'upgrades'));
    const request = createUpgradeRequest({
      id: 'u-1',
      steps: DEFAULT_STEPS,
      requester: { platform: 'console', id: 'a', name: 'A' },
      reportTo: { platform: 'console', channel: 'c' },
      fromVersion: { version: '1', revision: 'r' },
    });
    await writeUpgradeRequest(layout.requests, request, KEY);
    const claim = await claimNext(
      layout,
      { key: KEY, expiryMs: 60_000 },
      { rejected: () => undefined, memoryLost: () => undefined },
    );
    expect(claim?.request.id).toBe('u-1');
    const now = new Date().toISOString();
    await saveState(layout.state, {
      request,
      phase: 'preparing',
      from: request.fromVersion,
      startedAt: now,
      outcomes: [],
    });
    await writeUpgradeResult(
      layout.results,
      {
        id: 'u-1',
        ok: true,
        dryRun: true,
        requester: request.requester,
        reportTo: request.reportTo,
        steps: request.steps,
        outcomes: [],
        rolledBack: false,
        imageRestored: false,
        from: request.fromVersion,
        to: request.fromVersion,
        objects: null,
        startedAt: now,
        finishedAt: now,
      },
      KEY,
    );
    for (const folder of [path.join(dir, 'data'), layout.requests, layout.claimed, layout.results])
      expect(modeOf(folder)).toBe(0o700);
    for (const file of [
      layout.state,
      layout.seen,
      claim!.file,
      path.join(layout.results, 'u-1.json'),
    ])
      expect(modeOf(file)).toBe(0o600);
  });
});

describe('claimNext', () => {
  const RULES = { key: KEY, expiryMs: 10 * 60_000 };
  const make = (id: string, at: Date) =>
    createUpgradeRequest({
      id,
      steps: DEFAULT_STEPS,
      requester: { platform: 'console', id: 'a', name: 'A' },
      reportTo: { platform: 'console', channel: 'c' },
      fromVersion: { version: '1', revision: 'r' },
      now: at,
    });
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
  const collect = (into: string[], lost: string[] = []): InboxReports => ({
    rejected: (file, reason) => into.push(`${path.basename(file)}: ${reason}`),
    memoryLost: (why) => lost.push(why),
  });

  it('claims the oldest valid request, rejects bad and duplicate ones', async () => {
    const layout = upgradeLayout(dir);
    await writeUpgradeRequest(layout.requests, make('u-2', minutesAgo(1)), KEY);
    await writeUpgradeRequest(layout.requests, make('u-1', minutesAgo(2)), KEY);
    await writeFile(path.join(layout.requests, 'u-9.json'), 'nonsense');
    await writeFile(path.join(layout.requests, '.tmp-u-3.json-abcd'), 'half written');
    const rejected: string[] = [];
    const onReject = collect(rejected);

    expect((await claimNext(layout, RULES, onReject))?.request.id).toBe('u-1');
    expect(rejected).toEqual(['u-9.json: not JSON']);
    expect((await claimNext(layout, RULES, onReject))?.request.id).toBe('u-2');
    expect(await claimNext(layout, RULES, onReject)).toBeUndefined();

    await writeUpgradeRequest(layout.requests, make('u-1', minutesAgo(0)), KEY);
    expect(await claimNext(layout, RULES, onReject)).toBeUndefined();
    expect(rejected[1]).toBe('u-1.json: replay of request id u-1');
    expect((await readdir(layout.claimed)).sort()).toEqual(['u-1.json', 'u-2.json']);
    expect(await readdir(layout.requests)).toEqual(['.tmp-u-3.json-abcd']);
  });

  it('sets aside a FIFO, a directory, a link and an oversized file, and still claims the request behind them', async () => {
    const layout = upgradeLayout(dir);
    await mkdir(layout.requests, { recursive: true });
    execFileSync('mkfifo', [path.join(layout.requests, 'x.json')]);
    await mkdir(path.join(layout.requests, 'u-dir.json'));
    await writeFile(path.join(dir, 'elsewhere.json'), 'secret');
    await symlink(path.join(dir, 'elsewhere.json'), path.join(layout.requests, 'u-link.json'));
    await writeFile(path.join(layout.requests, 'u-big.json'), ' '.repeat(1024 * 1024));
    await writeUpgradeRequest(layout.requests, make('u-5', minutesAgo(1)), KEY);
    const rejected: string[] = [];

    const claim = await claimNext(layout, RULES, collect(rejected));

    expect(claim?.request.id).toBe('u-5');
    expect(rejected.sort()).toEqual([
      'u-big.json: skipped: too large: 1048576 bytes (a channel file is at most 65536)',
      'u-dir.json: skipped: a directory',
      'u-link.json: skipped: a symbolic link',
      'x.json: skipped: a FIFO',
    ]);
    expect(await readdir(layout.requests)).toEqual([]);
    const kept = await readdir(layout.rejected);
    expect(kept.filter((n) => !n.endsWith('.reason.txt'))).toHaveLength(4);
    expect(await readFile(path.join(dir, 'elsewhere.json'), 'utf8')).toBe('secret');
  });

  it('refuses an expired request, one from the future, and a replay after claimed/ and results/ were cleaned', async () => {
    const layout = upgradeLayout(dir);
    const rejected: string[] = [];
    await writeUpgradeRequest(layout.requests, make('u-old', minutesAgo(11)), KEY);
    await writeUpgradeRequest(layout.requests, make('u-ahead', minutesAgo(-5)), KEY);
    const fresh = make('u-7', minutesAgo(1));
    await writeUpgradeRequest(layout.requests, fresh, KEY);
    expect((await claimNext(layout, RULES, collect(rejected)))?.request.id).toBe('u-7');
    rejected.sort();
    expect(rejected[0]).toMatch(/^u-ahead\.json: issued in the future \(.*\); check the clock$/);
    expect(rejected[1]).toMatch(
      /^u-old\.json: expired: issued .*, and a request is valid for 600 s; ask again$/,
    );

    // The admin cleans up; a copy of the very same signed file is dropped in again.
    const copy = await readFile(path.join(layout.claimed, 'u-7.json'), 'utf8');
    await rm(layout.claimed, { recursive: true });
    await rm(layout.results, { recursive: true, force: true });
    await writeFile(path.join(layout.requests, 'u-7.json'), copy);
    rejected.length = 0;
    expect(await claimNext(layout, RULES, collect(rejected))).toBeUndefined();
    expect(rejected).toEqual(['u-7.json: replay of request id u-7']);

    // Once its expiry has passed the id is forgotten: the request is refused for its age.
    const { memory } = await openReplayMemory(layout, KEY, Date.now());
    expect(Object.keys(memory.ids)).toEqual(['u-7']);
    expect((await openReplayMemory(layout, KEY, memory.ids['u-7']! + 1)).memory.ids).toEqual({});
  });

  /** Claims a fresh u-7, then leaves what a cleaned-up folder keeps: its step log only. */
  async function takenAndCleaned(layout: UpgradeLayout): Promise<string> {
    await writeUpgradeRequest(layout.requests, make('u-7', minutesAgo(1)), KEY);
    expect((await claimNext(layout, RULES, collect([])))?.request.id).toBe('u-7');
    await mkdir(path.join(layout.logs, 'u-7'), { recursive: true });
    await writeFile(path.join(layout.logs, 'u-7', 'git-pull.log'), '$ git fetch --quiet\n');
    const copy = await readFile(path.join(layout.claimed, 'u-7.json'), 'utf8');
    await rm(layout.claimed, { recursive: true });
    await rm(layout.results, { recursive: true, force: true });
    return copy;
  }

  it('lets no request taken before run again when its replay memory is deleted, and goes on', async () => {
    const layout = upgradeLayout(dir);
    const copy = await takenAndCleaned(layout);
    await rm(layout.seen);
    await writeFile(path.join(layout.requests, 'u-7.json'), copy);
    const rejected: string[] = [];
    const lost: string[] = [];
    expect(await claimNext(layout, RULES, collect(rejected, lost))).toBeUndefined();
    expect(lost).toEqual([
      expect.stringMatching(
        /steward-seen\.json is missing although the upgrade folder was used before: the replay memory begins again at .*, and requests issued before then are refused in case they are replays$/,
      ),
    ]);
    expect(rejected).toEqual([
      expect.stringMatching(
        /^u-7\.json: issued before .*, when the steward's replay memory began again \(it had been lost\), so it may be a replay; nothing was run: ask again$/,
      ),
    ]);
    expect(await readdir(layout.requests)).toEqual([]);

    // A request issued from now on is taken as usual; the memory is not lost again.
    await writeUpgradeRequest(layout.requests, make('u-8', new Date()), KEY);
    expect((await claimNext(layout, RULES, collect(rejected, lost)))?.request.id).toBe('u-8');
    expect(lost).toHaveLength(1);
  });

  it('sets a damaged or forged replay memory aside and says so; nothing runs again, new requests do', async () => {
    const layout = upgradeLayout(dir);
    const copy = await takenAndCleaned(layout);
    await writeFile(layout.seen, '{"u-7": 17');
    await writeFile(path.join(layout.requests, 'u-7.json'), copy);
    const rejected: string[] = [];
    const lost: string[] = [];
    expect(await claimNext(layout, RULES, collect(rejected, lost))).toBeUndefined();
    expect(lost).toEqual([
      expect.stringMatching(
        /steward-seen\.json was damaged \(not JSON\) and is set aside as steward-seen\.json\.damaged-\d+: the replay memory begins again/,
      ),
    ]);
    expect(rejected).toEqual([expect.stringMatching(/^u-7\.json: issued before .*ask again$/)]);
    const aside = (await readdir(dir)).filter((n) => n.startsWith('steward-seen.json.damaged-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(dir, aside[0]!), 'utf8')).toBe('{"u-7": 17');

    // A memory forged without the key (it would refuse every request until 2100) is damaged
    // too: it is set aside, and the steward goes on taking requests.
    const forged = { kind: 'steward-replay-memory', since: '2100-01-01T00:00:00.000Z', ids: {} };
    const signature = signPayload(forged, 'not-the-key-0123456789');
    await writeFile(layout.seen, JSON.stringify({ format: 1, memory: forged, signature }));
    expect(await claimNext(layout, RULES, collect(rejected, lost))).toBeUndefined();
    expect(lost[1]).toMatch(/was damaged \(missing or bad signature\)/);
    await writeUpgradeRequest(layout.requests, make('u-9', new Date()), KEY);
    expect((await claimNext(layout, RULES, collect(rejected, lost)))?.request.id).toBe('u-9');
    expect(lost).toHaveLength(2);
  });
});

describe("BAT OS's own steps, run as the steward runs them", () => {
  const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
  const facts = (imagePath: string): AppFacts => ({
    dir: REPO_ROOT,
    imagePath,
    scripts: (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts,
    hasMigrateScript: true,
  });
  const run = (command: StepCommand | SkippedStep, env: Record<string, string>) => {
    if ('skip' in command) throw new Error(`unexpectedly skipped: ${command.skip}`);
    return runCommand(command, { PATH: process.env.PATH ?? '', ...env }, path.join(dir, 'x.log'));
  };

  it('checks the configuration without opening anything, and names a bad setting', async () => {
    const image = path.join(dir, 'never', 'live_image.db');
    const check = resolveConfigCheck(facts(image));
    const good = await run(check, { BATOS_IMAGE: image, BATOS_CONSOLE: 'off' });
    expect(good).toMatchObject({ ok: true });
    expect(good.tail).toContain('configuration ok');
    expect(existsSync(path.dirname(image))).toBe(false);

    const bad = await run(check, { BATOS_IMAGE: image, BATOS_SENDS_PER_MINUTE: 'lots' });
    expect(bad).toMatchObject({ ok: false, reason: 'exit code 78' });
    expect(bad.tail).toContain('BATOS_SENDS_PER_MINUTE="lots" must be a whole number');
  });

  it('migrates a new PostgreSQL image, and says when one is up to date', async () => {
    const url = await freshPostgresDatabase();
    const migrate = resolveStepCommand({ name: 'migrate', args: [] }, facts(url));
    expect((await run(migrate, {})).tail).toMatch(/: migrated, 0 objects$/);
    const again = await run(migrate, {});
    expect(again).toMatchObject({ ok: true });
    expect(again.tail).toMatch(
      /^postgres:.*: schema up to date, 0 objects; image left untouched$/m,
    );
  });

  it('migrates a new image, and leaves an up-to-date one byte for byte as it was', async () => {
    const image = path.join(dir, 'live_image.db');
    const migrate = resolveStepCommand({ name: 'migrate', args: [] }, facts(image));
    const first = await run(migrate, {});
    expect(first).toMatchObject({ ok: true });
    expect(first.tail).toMatch(/: migrated, \d+ objects$/);

    const print = await fingerprintImage(image);
    const files = (await readdir(dir)).sort();
    const again = await run(migrate, {});
    expect(again).toMatchObject({ ok: true });
    expect(again.tail).toMatch(/: schema up to date, \d+ objects; image left untouched$/);
    expect(await fingerprintImage(image)).toBe(print);
    expect((await readdir(dir)).sort()).toEqual(files);
  });
});

describe('workTree', () => {
  it('tells whether a folder changed between two revisions', async () => {
    const fixture = await createFixtureRepo(dir);
    const tree = workTree(fixture.app, { PATH: process.env.PATH ?? '' });
    const { v1, v2 } = fixture.revisions;
    expect(await tree.changedBetween(v1!, v2!, 'dep')).toBe(true);
    expect(await tree.changedBetween(v2!, fixture.revisions['v2-doc']!, 'dep')).toBe(false);
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
    // v1 ran without node_modules; the one installed for v2 went with the rollback.
    expect(existsSync(path.join(fixture.app, 'node_modules'))).toBe(false);
    expect(existsSync(layoutOf(dir).staging)).toBe(false);
    expect(formatUpgradeResult(result)).toContain('Rollback to 1.0.0');
  });

  it('rolls back from a state file whose phase it does not know (left by an older steward)', async () => {
    const fixture = await createFixtureRepo(dir);
    const config = readStewardConfig(
      {
        BATOS_UPGRADE_KEY: KEY,
        BATOS_APP_DIR: fixture.app,
        BATOS_IMAGE: path.join(dir, 'img.db'),
        BATOS_READY_TIMEOUT_MS: '300',
        PATH: process.env.PATH,
      },
      dir,
    );
    const started: string[] = [];
    const runner = new UpgradeRunner({
      config,
      layout: layoutOf(dir),
      control: control(async () => {
        started.push('batos');
      }),
      log: () => undefined,
    });
    const result = await runner.resume({
      request: request('u-3'),
      phase: 'running-steps' as Phase,
      from: { version: '1.0.0', revision: fixture.revisions.v1! },
      startedAt: new Date().toISOString(),
      outcomes: [],
    });
    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      failure: {
        step: 'interrupted',
        reason: "the state file names an unknown phase 'running-steps'",
      },
    });
    expect(started).toEqual(['batos']);
    expect(await git(fixture.app, 'rev-parse', 'HEAD')).toBe(fixture.revisions.v1);
  });

  it('reports a damaged replay memory in its log and in the result of the request it turned away, then goes on', async () => {
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
    await writeUpgradeRequest(layout.requests, request('u-4'), KEY);
    await writeFile(layout.seen, 'damaged on disk');
    const logged: string[] = [];
    const steward = new Steward(
      {
        config,
        layout,
        control: control(async () => undefined),
        log: (line) => logged.push(line),
      },
      () => undefined,
    );
    const resultOf = (id: string) =>
      until(`the result of ${id}`, async () => {
        const read = await readUpgradeResultFile(path.join(layout.results, `${id}.json`), KEY);
        return read.ok ? read.result : undefined;
      });
    await steward.start();
    try {
      const turnedAway = await resultOf('u-4');
      expect(turnedAway).toMatchObject({
        ok: false,
        rolledBack: false,
        failure: { step: 'preflight' },
      });
      expect(turnedAway.failure?.reason).toMatch(
        /issued before .*, when the steward's replay memory began again \(it had been lost\), so it may be a replay; nothing was run: ask again/,
      );
      expect(formatUpgradeResult(turnedAway)).toMatch(/Nothing was changed/);
      expect(logged).toContainEqual(
        expect.stringMatching(/^replay memory lost: .*steward-seen\.json was damaged \(not JSON\)/),
      );
      // It keeps working: a request issued now is taken and carried out (here: no git).
      await writeUpgradeRequest(layout.requests, request('u-5'), KEY);
      expect((await resultOf('u-5')).failure?.reason).toMatch(/git/);
      expect(logged).toContainEqual(expect.stringMatching(/^claimed u-5 /));
    } finally {
      steward.stop();
      await steward.idle();
    }
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
      const result = await until('a result', async () => {
        const read = await readUpgradeResultFile(path.join(layout.results, 'u-2.json'), KEY);
        return read.ok ? read.result : undefined;
      });
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
