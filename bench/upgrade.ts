/**
 * Upgrade downtime under the real steward and the real pm2, with the fixture bot of
 * test/fixtures/steward: a user keeps pinging the bot, and the downtime is the time from the
 * last reply of the old version to the first reply of the new one. Two upgrades: a commit
 * that changes package-lock.json (v1 → v2: `npm ci` runs in the second work tree while the
 * old bot serves) and a commit that changes one document (v2 → v2-doc: no `npm ci`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_STEPS,
  type UpgradeResult,
  createUpgradeRequest,
  readHealthFile,
  readUpgradeResultFile,
  upgradeLayout,
  writeUpgradeRequest,
} from '../src/core/upgrade/index.ts';
import { createFixtureRepo } from '../test/fixtures/steward/fixture-app.ts';
import { Pm2Harness, ReplyWatch, freePort, until } from '../test/steward/pm2-harness.ts';
import { type BenchTable, formatNumber } from './table.ts';

const KEY = 'bench-key-0123456789abcdef';

/** The upgrades measured: what is published, and what it changes. */
const SCENARIOS = [
  { tag: 'v2', commit: 'package-lock.json changed (npm ci)' },
  { tag: 'v2-doc', commit: 'one document changed' },
] as const;

const seconds = (ms: number | undefined): string =>
  ms === undefined ? '—' : formatNumber(ms / 1000, 2);

export async function benchUpgrade(): Promise<BenchTable> {
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
      const result = await until<UpgradeResult>(
        `the result of ${request.id}`,
        async () => {
          const read = await readUpgradeResultFile(
            path.join(layout.results, `${request.id}.json`),
            KEY,
          );
          return read.ok ? read.result : undefined;
        },
        300_000,
      );
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
