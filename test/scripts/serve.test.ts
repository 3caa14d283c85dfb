/**
 * `npm run serve` with the real pm2 and the real ecosystem.config.js, under a temporary
 * PM2_HOME: it refuses a bot nobody can reach, explains a missing upgrade key instead of
 * crash-looping a steward, waits for the bot to be ready (and fails loudly, with the bot's
 * own error, when it is not), leaves a running bot alone, writes logs under PM2_HOME (0600)
 * with one timestamp per line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, REPO_ROOT, type RunResult } from '../support/run-batos.ts';
import { tempDir } from '../support/temp.ts';

const PM2_BIN = createRequire(import.meta.url).resolve('pm2/bin/pm2');

/** Runs `npm run <script> -- args` in the repository. */
function npmRun(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<RunResult> {
  const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child, `npm run ${script}`);
}

/** Waits until `ready()` is true, polling; fails after `ms`. */
async function until(what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run serve', () => {
  it('refuses to start a bot no chat user can reach, unless told to', async () => {
    const home = tempDir();
    const run = await npmRun('serve', [], { PM2_HOME: home, BATOS_UPGRADE_KEY: 'k'.repeat(32) });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/No chat front end is configured/);
    expect(run.stderr).toMatch(/npm run serve -- --without-chat/);
    // pm2 was never started.
    expect(existsSync(join(home, 'pm2.pid'))).toBe(false);
  });

  it('refuses bad settings before pm2 starts', async () => {
    const home = tempDir();
    const run = await npmRun('serve', ['--without-chat'], {
      PM2_HOME: home,
      BATOS_SENDS_PER_MINUTE: 'lots',
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/^ {2}BATOS_SENDS_PER_MINUTE="lots" must be a whole number/m);
    expect(existsSync(join(home, 'pm2.pid'))).toBe(false);
  });

  it('without an upgrade key: says how to make one, runs the bot alone (a steward started anyway is not restarted), logs under PM2_HOME once stamped', async () => {
    const home = tempDir();
    const data = tempDir();
    const env = {
      PM2_HOME: home,
      BATOS_IMAGE: join(data, 'image.db'),
      BATOS_MODEL: join(data, 'none.gguf'),
      BATOS_THREADS: '1',
      BATOS_UPGRADE_KEY: '',
    };
    try {
      const run = await npmRun('serve', ['--without-chat'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/Upgrades are off: BATOS_UPGRADE_KEY is not set/);
      expect(run.stderr).toContain(`randomBytes(32).toString('hex')`);
      // The restart it suggests starts the same way.
      expect(run.stderr).toMatch(/npm run serve:stop && npm run serve -- --without-chat$/m);
      // It returned once the bot was ready, not merely spawned.
      const botLog = join(home, 'logs', 'batos.err.log');
      expect(readFileSync(botLog, 'utf8')).toMatch(/ready: /);
      const pid = /is ready under pm2 \(pid (\d+)\)/.exec(run.stdout)?.[1];
      expect(pid, run.stdout).toBeDefined();

      // A second serve leaves the running bot alone.
      const again = await npmRun('serve', ['--without-chat'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(
        `BAT OS is already running under pm2 (pid ${pid}); left as it is`,
      );
      // The logs hold what people said: only the bot's own account may read them.
      expect(statSync(join(home, 'logs')).mode & 0o777).toBe(0o700);
      for (const log of ['batos.out.log', 'batos.err.log', 'steward.out.log', 'steward.err.log'])
        expect(statSync(join(home, 'logs', log)).mode & 0o777, log).toBe(0o600);
      const status = await npmRun('serve:status', [], env);
      expect(status.stdout).toMatch(/batos\b.*online/);
      expect(status.stdout).not.toMatch(/batos-steward/);
      const lines = readFileSync(botLog, 'utf8').trim().split('\n');
      for (const line of lines)
        expect(line.match(/\d{4}-\d\d-\d\dT?\s?\d\d:\d\d:\d\d/g), line).toHaveLength(1);

      // Started without a key anyway, the steward exits 78 at once and pm2 does not restart it.
      const pm2 = (...args: string[]) =>
        spawnSync(process.execPath, [PM2_BIN, ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...env },
          encoding: 'utf8',
        }).stdout;
      pm2('start', join(REPO_ROOT, 'ecosystem.config.js'), '--only', 'batos-steward');
      const bot = () =>
        (JSON.parse(pm2('jlist')) as { name: string; pid: number }[]).find(
          (a) => a.name === 'batos',
        );
      expect(bot()?.pid).toBe(Number(pid));
      const steward = () =>
        (
          JSON.parse(pm2('jlist')) as {
            name: string;
            pm2_env: { status: string; restart_time: number; exit_code?: number };
          }[]
        ).find((app) => app.name === 'batos-steward')?.pm2_env;
      await until('the steward to exit', () => steward()?.exit_code === 78);
      // pm2 would restart it after its 100 ms back-off; give it far longer than that.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(steward()?.restart_time).toBe(0);
      const stewardLog = readFileSync(join(home, 'logs', 'steward.out.log'), 'utf8');
      expect(stewardLog.match(/BATOS_UPGRADE_KEY is not set/g)).toHaveLength(1);
      expect(stewardLog).toMatch(
        /steward error BATOS_UPGRADE_KEY is not set: .* Make one with node -p/,
      );
    } finally {
      const stop = await npmRun('serve:stop', [], env);
      expect(stop.code, stop.stderr).toBe(0);
    }
    expect(readFileSync(join(home, 'logs', 'batos.err.log'), 'utf8')).toMatch(/image closed/);
  }, 120_000);

  it('waits for a bot that cannot start, and exits with its status and its own error', async () => {
    const home = tempDir();
    const data = tempDir();
    const image = join(data, 'notes.txt');
    writeFileSync(image, 'not an image\n', { mode: 0o600 });
    const env = { PM2_HOME: home, BATOS_IMAGE: image, BATOS_THREADS: '1' };
    try {
      const run = await npmRun('serve', ['--without-chat'], env);
      expect(run.code, run.stdout + run.stderr).toBe(78);
      expect(run.stderr).toMatch(/^BAT OS did not come up: it exited with status 78\.$/m);
      expect(run.stderr).toMatch(/notes\.txt is not a SQLite database/);
      expect(run.stderr).toMatch(/npm start -- --check/);
      expect(readFileSync(image, 'utf8')).toBe('not an image\n');
    } finally {
      const stop = await npmRun('serve:stop', [], env);
      expect(stop.code, stop.stderr).toBe(0);
    }
  }, 120_000);
});
