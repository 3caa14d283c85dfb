/**
 * Upgrade downtime under the real steward and the real pm2, with the fixture bot of
 * test/support/fixtures/steward-app.ts: a user keeps pinging the bot, and the downtime is the time from the
 * last reply of the old version to the first reply of the new one. Two upgrades: a commit
 * that changes package-lock.json (v1 → v2: `npm ci` runs in the second work tree while the
 * old bot serves) and a commit that changes one document (v2 → v2-doc: no `npm ci`). The
 * fixture bot starts in milliseconds, so a second table upgrades BAT OS itself (built, no
 * model) the same way, for a one-document commit of this repository, and a third times BAT
 * OS's own clean stop and start.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_STEPS,
  createUpgradeRequest,
  readHealthFile,
  upgradeLayout,
  writeUpgradeRequest,
  type AppVersion,
  type UpgradeLayout,
  type UpgradeResult,
} from '../src/core/upgrade/index.ts';
import { createFixtureRepo, git } from '../test/support/fixtures/steward-app.ts';
import {
  Pm2Harness,
  ReplyWatch,
  freePort,
  signedResult,
  until,
} from '../test/support/pm2-harness.ts';
import { requireCurrentBuild } from './start.ts';
import { type BenchTable, formatNumber } from './table.ts';

const KEY = 'bench-key-0123456789abcdef';

/** The upgrades measured: what is published, and what it changes. */
const SCENARIOS = [
  { tag: 'v2', commit: 'package-lock.json changed (npm ci)' },
  { tag: 'v2-doc', commit: 'one document changed' },
] as const;

const seconds = (ms: number | undefined): string =>
  ms === undefined ? '—' : formatNumber(ms / 1000, 2);

/** Starts BAT OS itself (no front end, no console) and times it until ready and until stopped. */
async function timeBatosStartStop(root: string): Promise<{ startMs: number; stopMs: number }> {
  const healthFile = path.join(root, 'health.json');
  const env = {
    ...process.env,
    BATOS_IMAGE: path.join(root, 'live_image.db'),
    BATOS_HEALTH_FILE: healthFile,
    BATOS_CONSOLE: 'off',
    BATOS_AUDIT_INTERVAL_MINUTES: '0',
  };
  const started = performance.now();
  // Run in the scratch folder, so no .env of the project (with chat tokens) is loaded; started
  // as pm2 starts it (the launcher: the build, or the sources when that is stale).
  const entry = fileURLToPath(new URL('../src/launch.mjs', import.meta.url));
  const bot = spawn(process.execPath, [entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  bot.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => bot.once('exit', () => resolve()));
  try {
    await until(
      'BAT OS to be ready',
      async () => ((await readHealthFile(healthFile))?.pid === bot.pid ? true : undefined),
      180_000,
    );
  } catch (error) {
    bot.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  const startMs = performance.now() - started;
  const stopping = performance.now();
  bot.kill('SIGINT');
  await exited;
  return { startMs, stopMs: performance.now() - stopping };
}

/** BAT OS's own share of the downtime: the stop of the old version and the start of the new. */
async function benchBatosShare(): Promise<BenchTable> {
  requireCurrentBuild();
  const root = await mkdtemp(path.join(tmpdir(), 'batos-bench-start-'));
  try {
    const first = await timeBatosStartStop(root);
    const again = await timeBatosStartStop(root);
    return {
      title: "BAT OS's own share of an upgrade's downtime (no model, no front end)",
      rows: [
        { run: 'first start (new image)', ...row(first) },
        { run: 'start with an existing image', ...row(again) },
      ],
      notes: [
        'The steward stops the old version (clean stop) and starts the new one (start until the health file names it): add both to the steward downtime above for an estimate of a real upgrade.',
        'Loading a model adds its load time; chat front ends add their connection time.',
      ],
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const row = (t: { startMs: number; stopMs: number }) => ({
  'start until ready (s)': seconds(t.startMs),
  'clean stop (s)': seconds(t.stopMs),
});

/**
 * Asks the steward for an upgrade with the default steps, from the version `before` that
 * runs, and waits for its signed result (ok, or this throws): the result and ms it took.
 */
async function upgrade(
  layout: UpgradeLayout,
  id: string,
  before: AppVersion,
  timeoutMs: number,
): Promise<{ result: UpgradeResult; total: number }> {
  const request = createUpgradeRequest({
    id,
    steps: DEFAULT_STEPS,
    requester: { platform: 'console', id: 'bench', name: 'bench' },
    reportTo: { platform: 'console', channel: 'bench' },
    fromVersion: { version: before.version, revision: before.revision },
  });
  const asked = performance.now();
  await writeUpgradeRequest(layout.requests, request, KEY);
  const result = await signedResult(layout.results, id, KEY, timeoutMs);
  const total = performance.now() - asked;
  if (!result.ok) throw new Error(`upgrade ${id} failed: ${result.failure?.reason}`);
  return { result, total };
}

/** The tables: the steward with the fixture bot, with BAT OS, and BAT OS's own start and stop. */
export async function benchUpgrade(): Promise<BenchTable[]> {
  return [await benchStewardDowntime(), await benchRealUpgrade(), await benchBatosShare()];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * When BAT OS answered `/readyz` with 200, polled every 25 ms as a user who keeps talking to
 * it; the downtime is the longest gap between two such answers.
 */
class ReadyWatch {
  readonly #url: string;
  readonly #answers: number[] = [];
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(port: number) {
    this.#url = `http://127.0.0.1:${port}/readyz`;
  }

  start(): void {
    this.#running = (async () => {
      while (!this.#stopped) {
        const ok = await fetch(this.#url, { signal: AbortSignal.timeout(1_000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) this.#answers.push(Date.now());
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** The longest time without a ready answer, in ms. */
  longestGap(): number {
    let gap = 0;
    for (let i = 1; i < this.#answers.length; i++)
      gap = Math.max(gap, this.#answers[i]! - this.#answers[i - 1]!);
    return gap;
  }
}

/**
 * BAT OS itself upgraded by the real steward under pm2: this repository's committed HEAD,
 * built and serving (no model, health endpoint on), then a commit that changes one document.
 */
async function benchRealUpgrade(): Promise<BenchTable> {
  const root = await mkdtemp(path.join(tmpdir(), 'batos-bench-real-upgrade-'));
  const authoring = path.join(root, 'authoring');
  const origin = path.join(root, 'origin.git');
  const app = path.join(root, 'app');
  const data = path.join(root, 'data');
  const healthFile = path.join(data, 'health.json');
  const image = path.join(data, 'live_image.db');
  const upgradeDir = path.join(data, 'upgrades');
  const layout = upgradeLayout(upgradeDir);
  const head = await git(ROOT, 'rev-parse', 'HEAD');
  await git(root, 'clone', '-q', '--no-checkout', ROOT, authoring);
  await git(authoring, 'checkout', '-q', '-B', 'main', head);
  await appendFile(path.join(authoring, 'docs', 'steward.md'), '\n<!-- bench: one document -->\n');
  await git(authoring, 'commit', '-q', '-am', 'bench: one document changed');
  const docCommit = await git(authoring, 'rev-parse', 'HEAD');
  await git(root, 'clone', '-q', '--bare', authoring, origin);
  await git(origin, 'update-ref', 'refs/heads/main', head);
  await git(root, 'clone', '-q', origin, app);
  await symlink(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  await new Promise<void>((resolve, reject) =>
    spawn(process.execPath, ['--import', 'tsx', path.join(app, 'scripts', 'build.ts')], {
      cwd: app,
      stdio: 'ignore',
    }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build: ${code}`)))),
  );
  const port = await freePort();
  const pm2 = new Pm2Harness({
    home: path.join(root, 'pm2'),
    app,
    image,
    upgradeDir,
    key: KEY,
    objects: 0,
    logs: path.join(root, 'logs'),
    port,
    readyTimeoutMs: 120_000,
    bot: {
      args: [path.join(app, 'src', 'launch.mjs')],
      env: {
        BATOS_IMAGE: image,
        BATOS_HEALTH_FILE: healthFile,
        BATOS_HEALTH_PORT: String(port),
        BATOS_CONSOLE: 'off',
        BATOS_AUDIT_INTERVAL_MINUTES: '0',
      },
    },
  });
  const watch = new ReadyWatch(port);
  try {
    await pm2.start();
    const before = await until(
      'BAT OS to be ready',
      async () => {
        const health = await readHealthFile(healthFile);
        return health !== undefined && health.pid === (await pm2.pid('batos')) ? health : undefined;
      },
      180_000,
    );
    await until('the steward to watch', async () =>
      (await pm2.stewardLog()).includes('watching') ? true : undefined,
    );
    watch.start();
    await git(origin, 'update-ref', 'refs/heads/main', docCommit);
    const { result, total } = await upgrade(layout, 'u-real', before, 600_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await watch.stop();
    return {
      title: 'Upgrade downtime: steward under pm2, BAT OS itself (built, no model), default steps',
      rows: [
        {
          commit: 'one document changed',
          'request → result (s)': seconds(total),
          'downtime, /readyz (s)': seconds(watch.longestGap()),
          'downtime, steward (s)': seconds(result.downtimeMs),
        },
      ],
      notes: [
        `This repository at ${head.slice(0, 7)} (committed), upgraded to a commit that changes docs/steward.md.`,
        'Downtime, /readyz: the longest time without a 200 from the health endpoint (polled every 25 ms).',
        'Target: ≤ 3 s with no model, on this loaded machine too.',
      ],
    };
  } finally {
    await watch.stop();
    await pm2.kill();
    await rm(root, { recursive: true, force: true });
  }
}

async function benchStewardDowntime(): Promise<BenchTable> {
  const root = await mkdtemp(path.join(tmpdir(), 'batos-bench-upgrade-'));
  const fixture = await createFixtureRepo(root);
  const image = path.join(root, 'data', 'live_image.db');
  const healthFile = path.join(root, 'data', 'health.json');
  const layout = upgradeLayout(path.join(root, 'data', 'upgrades'));
  const port = await freePort();
  const pm2 = new Pm2Harness({
    home: path.join(root, 'pm2'),
    app: fixture.app,
    image,
    upgradeDir: path.join(root, 'data', 'upgrades'),
    key: KEY,
    objects: 1_000,
    logs: path.join(root, 'logs'),
    port,
  });
  const watch = new ReplyWatch(port);
  const rows: Record<string, string>[] = [];
  try {
    await pm2.start();
    await until('v1 to be ready', async () => {
      const health = await readHealthFile(healthFile);
      return health !== undefined && health.pid === (await pm2.pid('batos')) ? health : undefined;
    });
    await until('the steward to watch', async () =>
      (await pm2.stewardLog()).includes('watching') ? true : undefined,
    );
    watch.start();
    for (const [i, scenario] of SCENARIOS.entries()) {
      const before = (await readHealthFile(healthFile))!;
      await fixture.publish(scenario.tag);
      const { result, total } = await upgrade(layout, `u-${i + 1}`, before, 300_000);
      await until('a reply from the new version', async () =>
        watch.outage(before.pid) === undefined ? undefined : true,
      );
      const npmCi = result.outcomes.find((o) => o.name === 'npm-ci');
      rows.push({
        commit: scenario.commit,
        'npm ci': npmCi?.status === 'ok' ? `ran (${seconds(npmCi.durationMs)} s)` : 'skipped',
        'request → result (s)': seconds(total),
        'downtime, replies (s)': seconds(watch.outage(before.pid)?.ms),
        'downtime, steward (s)': seconds(result.downtimeMs),
      });
    }
  } finally {
    await watch.stop();
    await pm2.kill();
    await rm(root, { recursive: true, force: true });
  }
  return {
    title: 'Upgrade downtime: steward under pm2, fixture bot, default steps',
    rows,
    notes: [
      'Target: downtime ≤ 10 s for a one-document commit.',
      'Downtime, replies: from the last reply of the old bot to the first reply of the new one (pinged every 25 ms).',
      'Downtime, steward: from its stop of the bot until the new one is ready (health file and pid).',
      'The fixture bot starts in milliseconds; BAT OS adds its own start-up (opening the image, loading the model) to the downtime.',
    ],
  };
}
