/**
 * Upgrade downtime under the real steward and the real pm2, with the fixture bot of
 * test/support/fixtures/steward-app.ts: a user keeps pinging the bot, and the downtime is the time from the
 * last reply of the old version to the first reply of the new one. Two upgrades: a commit
 * that changes package-lock.json (v1 → v2: `npm ci` runs in the second work tree while the
 * old bot serves) and a commit that changes one document (v2 → v2-doc: no `npm ci`). The
 * fixture bot starts in milliseconds, so a second table times BAT OS's own clean stop and
 * start, the part of a real upgrade's downtime that is the bot's and not the steward's.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_STEPS,
  createUpgradeRequest,
  readHealthFile,
  upgradeLayout,
  writeUpgradeRequest,
} from '../src/core/upgrade/index.ts';
import { createFixtureRepo } from '../test/support/fixtures/steward-app.ts';
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

/** Both tables: the steward with the fixture bot, and BAT OS's own start and stop. */
export async function benchUpgrade(): Promise<BenchTable[]> {
  return [await benchStewardDowntime(), await benchBatosShare()];
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
      const request = createUpgradeRequest({
        id: `u-${i + 1}`,
        steps: DEFAULT_STEPS,
        requester: { platform: 'console', id: 'bench', name: 'bench' },
        reportTo: { platform: 'console', channel: 'bench' },
        fromVersion: { version: before.version, revision: before.revision },
      });
      const asked = performance.now();
      await writeUpgradeRequest(layout.requests, request, KEY);
      const result = await signedResult(layout.results, request.id, KEY, 300_000);
      const total = performance.now() - asked;
      if (!result.ok) throw new Error(`upgrade ${request.id} failed: ${result.failure?.reason}`);
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
