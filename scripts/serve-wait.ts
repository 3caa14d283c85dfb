/**
 * What `npm run serve` waits for after pm2 started the bot: the health file naming the pid
 * pm2 runs (the bot writes it once the image, the model and the front ends are up), or the
 * bot's exit. pm2's own `online` says only that a process was spawned.
 */
import { readHealthFile } from '../src/core/upgrade/index.ts';

/** One app as `pm2 jlist` describes it (only what is read here). */
export interface Pm2App {
  readonly name: string;
  readonly pid: number;
  readonly pm2_env: {
    readonly status: string;
    readonly restart_time: number;
    readonly exit_code?: number;
  };
}

/** How the wait ended. */
export type BotStart =
  | { readonly up: true; readonly pid: number; readonly version: string }
  | {
      readonly up: false;
      /** The bot's exit status, when it exited. */
      readonly exitCode: number | undefined;
      readonly reason: string;
    };

/** What to watch. */
export interface BotWatch {
  /** The app's entry in pm2's list now, or `undefined` when it is not there. */
  readonly describe: () => Pm2App | undefined;
  readonly healthFile: string;
  readonly timeoutMs: number;
  readonly pollMs?: number;
}

const EXITED = new Set(['waiting restart', 'stopped', 'errored']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the bot is ready, exits (or is restarted after one), or `timeoutMs` passes. */
export async function waitForBot(watch: BotWatch): Promise<BotStart> {
  const deadline = Date.now() + watch.timeoutMs;
  for (;;) {
    const app = watch.describe();
    if (app !== undefined) {
      const { status, restart_time: restarts, exit_code: exitCode } = app.pm2_env;
      // A bot that exited is 'waiting restart' (pm2's back-off; for ever after a 78, which
      // pm2 does not restart), 'stopped' or 'errored', or running again after a restart.
      if (EXITED.has(status) || restarts > 0)
        return { up: false, exitCode, reason: `it exited with status ${exitCode ?? 'unknown'}` };
      const health = await readHealthFile(watch.healthFile);
      if (status === 'online' && health?.pid === app.pid)
        return { up: true, pid: app.pid, version: health.version };
    }
    if (Date.now() > deadline)
      return {
        up: false,
        exitCode: undefined,
        reason: `it did not report ready within ${Math.round(watch.timeoutMs / 1000)} s (BATOS_READY_TIMEOUT_MS)`,
      };
    await sleep(watch.pollMs ?? 500);
  }
}
