import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  type UpgradeResult,
  DEFAULT_STEPS,
  MAX_CHANNEL_FILE_BYTES,
  REFUSED_RESULTS,
  createUpgradeRequest,
  describeUpgradePlan,
  formatUpgradeResult,
  signPayload,
  takeUpgradeResults,
  writeUpgradeResult,
} from '../../../src/core/upgrade/index.ts';

const KEY = 'result-key-0123456789abcdef';
const from = { version: '1.2.0', revision: 'a1b2c3d0000000000000000000000000000000000' };
const to = { version: '1.3.0', revision: 'd4e5f6a0000000000000000000000000000000000' };

const base: UpgradeResult = {
  id: 'u-17',
  ok: true,
  dryRun: false,
  requester: { platform: 'slack', id: 'U1', name: 'Ada' },
  reportTo: { platform: 'slack', channel: 'C1' },
  steps: DEFAULT_STEPS,
  outcomes: [],
  rolledBack: false,
  imageRestored: false,
  from,
  to,
  objects: 1204,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:00.000Z',
};

describe('describeUpgradePlan', () => {
  const request = (dryRun: boolean) =>
    createUpgradeRequest({
      id: 'u-17',
      steps: [...DEFAULT_STEPS.slice(0, 3), { name: 'pull-model', args: ['tiny'] }],
      dryRun,
      requester: base.requester,
      reportTo: base.reportTo,
      fromVersion: from,
    });

  it('says what will happen', () => {
    expect(describeUpgradePlan(request(false))).toBe(
      'Upgrade u-17 requested: git-pull, npm-ci, build, pull-model tiny. Back shortly.',
    );
    expect(describeUpgradePlan(request(true))).toBe(
      'Upgrade u-17 dry run requested: git-pull, npm-ci, build, pull-model tiny. Nothing will be stopped or changed; the plan follows shortly.',
    );
  });
});

describe('formatUpgradeResult', () => {
  it('reports success', () => {
    expect(formatUpgradeResult(base)).toBe(
      'Upgrade u-17 done: 1.2.0 (a1b2c3d) → 1.3.0 (d4e5f6a); image intact, 1,204 objects.',
    );
    expect(formatUpgradeResult({ ...base, to: from })).toBe(
      'Upgrade u-17: already at 1.2.0 (a1b2c3d), nothing to swap in; the bot was not stopped.',
    );
    expect(formatUpgradeResult({ ...base, downtimeMs: 4_240 })).toBe(
      'Upgrade u-17 done: 1.2.0 (a1b2c3d) → 1.3.0 (d4e5f6a); image intact, 1,204 objects; the bot was down 4.2 s.',
    );
  });

  it('reports a failed step, the rollback and the log tail', () => {
    const failed: UpgradeResult = {
      ...base,
      ok: false,
      to: from,
      rolledBack: true,
      rollbackOk: true,
      failure: { step: 'npm-ci', reason: 'exit code 1', logTail: 'npm ERR! code E404\n' },
    };
    expect(formatUpgradeResult(failed)).toBe(
      'Upgrade u-17 failed at npm-ci: exit code 1. Rolled back to 1.2.0 (a1b2c3d); image intact, 1,204 objects.\n' +
        'Last output of npm-ci:\n```\nnpm ERR! code E404\n```',
    );
    expect(
      formatUpgradeResult({
        ...failed,
        imageRestored: true,
        failure: { ...failed.failure!, logTail: '' },
      }),
    ).toBe(
      'Upgrade u-17 failed at npm-ci: exit code 1. Rolled back to 1.2.0 (a1b2c3d); image restored from backup, 1,204 objects.',
    );
    expect(
      formatUpgradeResult({
        ...failed,
        rollbackOk: false,
        rollbackFailure: 'ready: not ready within 180 s',
        failure: { ...failed.failure!, logTail: '' },
      }),
    ).toBe(
      'Upgrade u-17 failed at npm-ci: exit code 1. Rollback to 1.2.0 (a1b2c3d) FAILED too (ready: not ready within 180 s); check the logs (npm run serve:logs).',
    );
  });

  it('reports a refusal that changed nothing, and a dry run', () => {
    expect(
      formatUpgradeResult({
        ...base,
        ok: false,
        to: from,
        objects: null,
        failure: { step: 'preflight', reason: 'the work tree has local changes', logTail: '' },
      }),
    ).toBe(
      'Upgrade u-17 failed at preflight: the work tree has local changes. Nothing was changed; still 1.2.0 (a1b2c3d); image intact, object count unknown.',
    );
    expect(
      formatUpgradeResult({
        ...base,
        dryRun: true,
        to: from,
        outcomes: [
          { name: 'git-pull', args: [], status: 'ok', durationMs: 0 },
          { name: 'build', args: [], status: 'skipped', durationMs: 0, note: 'no build script' },
        ],
      }),
    ).toBe(
      'Upgrade u-17 dry run on 1.2.0 (a1b2c3d): would run git-pull, build (skipped: no build script). Nothing was changed.',
    );
  });
});

describe('takeUpgradeResults', () => {
  it('reports oldest first and marks reported only what was reported', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'batos-results-'));
    try {
      const later = { ...base, id: 'u-2', finishedAt: '2026-01-02T00:00:00.000Z' };
      await writeUpgradeResult(dir, later, KEY);
      await writeUpgradeResult(dir, { ...base, id: 'u-1' }, KEY);
      const seen: string[] = [];
      const refused: string[] = [];
      const take = (report: (r: UpgradeResult) => Promise<void>, at = dir) =>
        takeUpgradeResults(at, KEY, report, (file) => refused.push(file));
      await expect(
        take(async (r) => {
          seen.push(r.id);
          if (r.id === 'u-2') throw new Error('Slack is down');
        }),
      ).rejects.toMatchObject({
        name: 'OperatorError',
        code: 'undeliverable',
        message: expect.stringMatching(/^1 upgrade result.*\(u-2: Slack is down\)$/),
      });
      expect(seen).toEqual(['u-1', 'u-2']);
      expect(await readdir(path.join(dir, 'reported'))).toEqual(['u-1.json']);

      const again = await take(async () => undefined);
      expect(again.map((r) => r.id)).toEqual(['u-2']);
      expect(await take(async () => undefined)).toEqual([]);
      expect(await take(async () => undefined, path.join(dir, 'missing'))).toEqual([]);
      expect(refused).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('announces the signed results and refuses forged, unsigned, malformed and odd files, each on its own', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'batos-results-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeUpgradeResult(dir, { ...base, id: 'u-good' }, KEY);
    await writeUpgradeResult(dir, { ...base, id: 'u-forged' }, 'forger-key-0123456789abc');
    await writeFile(
      path.join(dir, 'u-unsigned.json'),
      JSON.stringify({ format: 1, result: { ...base, id: 'u-unsigned' } }),
    );
    await writeFile(path.join(dir, 'u-torn.json'), '{"format": 1, "result": {');
    const noFailure = { ...base, id: 'u-shape', ok: false };
    await writeFile(
      path.join(dir, 'u-shape.json'),
      JSON.stringify({ format: 1, result: noFailure, signature: signPayload(noFailure, KEY) }),
    );
    execFileSync('mkfifo', [path.join(dir, 'u-fifo.json')]);
    await writeFile(path.join(dir, 'u-huge.json'), ' '.repeat(MAX_CHANNEL_FILE_BYTES * 2));
    await writeUpgradeResult(dir, { ...base, id: 'u-later' }, KEY);

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
  it('announces a result once: a copy moved back from reported/ is refused, the record kept', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'batos-results-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeUpgradeResult(dir, { ...base, id: 'u-once' }, KEY);
    const announced: string[] = [];
    const refused: string[] = [];
    const take = () =>
      takeUpgradeResults(
        dir,
        KEY,
        async (r) => {
          announced.push(r.id);
        },
        (file, reason) => refused.push(`${path.basename(file)}: ${reason}`),
      );
    await take();
    expect(announced).toEqual(['u-once']);

    // Someone copies the signed, announced result back where pending results lie.
    await copyFile(path.join(dir, 'reported', 'u-once.json'), path.join(dir, 'u-once.json'));
    expect(await take()).toEqual([]);
    expect(announced).toEqual(['u-once']);
    expect(refused).toEqual([
      'u-once.json: already announced: a copy of reported/u-once.json; not announced again',
    ]);
    expect(await readdir(path.join(dir, 'reported'))).toEqual(['u-once.json']);
    expect((await readdir(dir)).filter((n) => n.endsWith('.json'))).toEqual([]);
    expect(await take()).toEqual([]);
    expect(announced).toEqual(['u-once']);
  });
});
