/**
 * A real pm2 daemon under a temporary PM2_HOME, running the fixture bot as `batos` and the
 * real steward (src/steward/main.ts through tsx) as `batos-steward`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type UpgradeResult, readUpgradeResultFile } from '../../src/core/upgrade/index.ts';

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
  /** Where the fixture bot answers pings (127.0.0.1). */
  readonly port: number;
  /**
   * Another bot to run as `batos` instead of the fixture's `bot.mjs` (the upgrade bench runs
   * BAT OS itself): Node's arguments and its environment.
   */
  readonly bot?: { readonly args: readonly string[]; readonly env: Record<string, string> };
  /** How long the steward waits for the new version to be ready (default 5 s). */
  readonly readyTimeoutMs?: number;
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
          ...(o.bot === undefined
            ? { script: path.join(o.app, 'bot.mjs') }
            : { script: process.execPath, args: o.bot.args, interpreter: 'none' }),
          cwd: o.app,
          wait_ready: true,
          listen_timeout: 2_500,
          kill_timeout: 5_000,
          exp_backoff_restart_delay: 100,
          merge_logs: true,
          out_file: path.join(o.logs, 'batos.out.log'),
          error_file: path.join(o.logs, 'batos.err.log'),
          env: o.bot?.env ?? {
            FIXTURE_IMAGE: o.image,
            FIXTURE_HEALTH: path.join(path.dirname(o.image), 'health.json'),
            FIXTURE_OBJECTS: String(o.objects),
            FIXTURE_PORT: String(o.port),
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
            BATOS_READY_TIMEOUT_MS: String(o.readyTimeoutMs ?? 5_000),
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

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the bot to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One ping: when it was answered (ms since the epoch) and what the bot said, if it did. */
export interface Ping {
  readonly at: number;
  /** `<version> <pid>`, or `null` when nobody answered. */
  readonly reply: string | null;
}

/** The bot's downtime as the users see it: from the last reply before to the first after. */
export interface Outage {
  readonly lastBefore: Ping;
  readonly firstAfter: Ping;
  readonly ms: number;
}

/**
 * Pings the fixture bot over HTTP every few milliseconds, as a user who keeps talking to it
 * during an upgrade, and keeps every answer.
 */
export class ReplyWatch {
  readonly pings: Ping[] = [];
  readonly #url: string;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(port: number) {
    this.#url = `http://127.0.0.1:${port}/`;
  }

  /** Starts pinging. */
  start(): this {
    this.#running = (async () => {
      while (!this.#stopped) {
        const reply = await fetch(this.#url, { signal: AbortSignal.timeout(1_000) })
          .then((r) => r.text())
          .catch(() => null);
        this.pings.push({ at: Date.now(), reply });
        await sleep(25);
      }
    })();
    return this;
  }

  /** Stops pinging. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** The replies received from `since` on (ms since the epoch). */
  repliesSince(since: number): string[] {
    return this.pings.filter((p) => p.at >= since && p.reply !== null).map((p) => p.reply!);
  }

  /**
   * The outage when the bot of pid `before` gave way to another: from its last reply to the
   * first reply of another process, or `undefined` if the pings never saw both.
   */
  outage(before: number): Outage | undefined {
    const pidOf = (p: Ping) => (p.reply === null ? undefined : Number(p.reply.split(' ')[1]));
    const seen = this.pings.findIndex((p) => pidOf(p) === before);
    const firstAfterIndex = this.pings.findIndex(
      (p, i) => i > seen && pidOf(p) !== undefined && pidOf(p) !== before,
    );
    if (seen < 0 || firstAfterIndex < 0) return undefined;
    const lastBefore = this.pings.slice(0, firstAfterIndex).findLast((p) => pidOf(p) === before)!;
    const firstAfter = this.pings[firstAfterIndex]!;
    return { lastBefore, firstAfter, ms: firstAfter.at - lastBefore.at };
  }
}

/** Waits for the steward's signed result of request `id` in `resultsDir`, checked with `key`. */
export function signedResult(
  resultsDir: string,
  id: string,
  key: string,
  timeoutMs: number,
): Promise<UpgradeResult> {
  return until(
    `the result of ${id}`,
    async () => {
      const read = await readUpgradeResultFile(path.join(resultsDir, `${id}.json`), key);
      return read.ok ? read.result : undefined;
    },
    timeoutMs,
  );
}
