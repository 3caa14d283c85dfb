/**
 * A real pm2 daemon under a temporary PM2_HOME, running the fixture bot as `batos` and the
 * real steward (src/steward/main.ts through tsx) as `batos-steward`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PM2_BIN = createRequire(import.meta.url).resolve('pm2/bin/pm2');
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Sleeps. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than `undefined`, or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** One app as `pm2 jlist` shows it. */
export interface AppInfo {
  readonly name: string;
  readonly pid: number;
  readonly status: string;
}

/** Settings of the pm2 harness. */
export interface HarnessOptions {
  readonly home: string;
  readonly app: string;
  readonly image: string;
  readonly upgradeDir: string;
  readonly key: string;
  readonly objects: number;
  readonly logs: string;
}

/** Controls the temporary daemon. */
export class Pm2Harness {
  readonly #options: HarnessOptions;

  constructor(options: HarnessOptions) {
    this.#options = options;
  }

  /** Runs the project's pm2 CLI against the temporary PM2_HOME. */
  async pm2(...args: string[]): Promise<string> {
    const env = { ...process.env, PM2_HOME: this.#options.home };
    return (await run(process.execPath, [PM2_BIN, ...args], { env })).stdout;
  }

  /** Writes the ecosystem file and starts both apps. */
  async start(): Promise<void> {
    const o = this.#options;
    const config = {
      apps: [
        {
          name: 'batos',
          script: path.join(o.app, 'bot.mjs'),
          cwd: o.app,
          wait_ready: true,
          listen_timeout: 2_500,
          kill_timeout: 5_000,
          exp_backoff_restart_delay: 100,
          merge_logs: true,
          out_file: path.join(o.logs, 'batos.out.log'),
          error_file: path.join(o.logs, 'batos.err.log'),
          env: {
            FIXTURE_IMAGE: o.image,
            FIXTURE_HEALTH: path.join(path.dirname(o.image), 'health.json'),
            FIXTURE_OBJECTS: String(o.objects),
          },
        },
        {
          name: 'batos-steward',
          script: process.execPath,
          args: ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'steward', 'main.ts')],
          interpreter: 'none',
          cwd: REPO_ROOT,
          exp_backoff_restart_delay: 100,
          merge_logs: true,
          out_file: path.join(o.logs, 'steward.out.log'),
          error_file: path.join(o.logs, 'steward.err.log'),
          env: {
            BATOS_UPGRADE_KEY: o.key,
            BATOS_APP_DIR: o.app,
            BATOS_IMAGE: o.image,
            BATOS_UPGRADE_DIR: o.upgradeDir,
            BATOS_HEALTH_FILE: path.join(path.dirname(o.image), 'health.json'),
            BATOS_PM2_APP: 'batos',
            BATOS_READY_TIMEOUT_MS: '5000',
            BATOS_STEWARD_RESCAN_MS: '500',
          },
        },
      ],
    };
    const file = path.join(o.home, 'ecosystem.config.cjs');
    await mkdir(o.home, { recursive: true });
    await writeFile(file, `module.exports = ${JSON.stringify(config, null, 2)};\n`);
    await this.pm2('start', file);
  }

  /** The apps, from `pm2 jlist`. */
  async apps(): Promise<AppInfo[]> {
    const list = JSON.parse(await this.pm2('jlist')) as {
      name: string;
      pid: number;
      pm2_env: { status: string };
    }[];
    return list.map((p) => ({ name: p.name, pid: p.pid, status: p.pm2_env.status }));
  }

  /** The pid of an online app. */
  async pid(name: string): Promise<number | undefined> {
    const app = (await this.apps()).find((a) => a.name === name && a.status === 'online');
    return app && app.pid > 0 ? app.pid : undefined;
  }

  /** The steward's log so far (for failure messages). */
  async stewardLog(): Promise<string> {
    return readFile(path.join(this.#options.logs, 'steward.out.log'), 'utf8').catch(() => '');
  }

  /** `pm2 kill`, then waits until the daemon has really exited (the CLI returns before). */
  async kill(): Promise<void> {
    const pidFile = path.join(this.#options.home, 'pm2.pid');
    const daemon = existsSync(pidFile) ? Number(await readFile(pidFile, 'utf8')) : undefined;
    await this.pm2('kill').catch(() => undefined);
    if (daemon === undefined) return;
    await until(
      'the pm2 daemon to exit',
      async () => {
        try {
          process.kill(daemon, 0);
          return undefined;
        } catch {
          return true;
        }
      },
      20_000,
    );
  }
}
