/**
 * Controlling the bot through pm2's programmatic API (the daemon named by PM2_HOME, which
 * pm2 passes to its apps).
 */
import pm2 from 'pm2';

/** What the steward needs from a process manager. */
export interface AppControl {
  /** Stops the app: pm2 sends SIGINT and waits up to the app's kill_timeout. */
  stop(name: string): Promise<void>;
  /** Starts (or restarts) the app with its registered configuration. */
  start(name: string): Promise<void>;
  /** The pid of the app if it is online, else `null`. */
  pid(name: string): Promise<number | null>;
  /** The app's log files (stdout, stderr), if known. */
  logFiles(name: string): Promise<readonly string[]>;
  /** Lets go of the daemon connection. */
  close(): void;
}

const call = <T>(fn: (cb: (err: Error | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

/** Connects to the pm2 daemon of PM2_HOME (the one running the steward). */
export async function connectPm2(): Promise<AppControl> {
  await call<undefined>((cb) => pm2.connect((err) => cb(err ?? null, undefined)));
  const describe = (name: string) => call<pm2.ProcessDescription[]>((cb) => pm2.describe(name, cb));
  return {
    async stop(name) {
      await call((cb) => pm2.stop(name, cb));
    },
    async start(name) {
      await call((cb) => pm2.restart(name, cb));
    },
    async pid(name) {
      const online = (await describe(name)).find((p) => p.pm2_env?.status === 'online');
      return online?.pid ? online.pid : null;
    },
    async logFiles(name) {
      const [proc] = await describe(name);
      const env = proc?.pm2_env as
        { pm_out_log_path?: string; pm_err_log_path?: string } | undefined;
      return [env?.pm_err_log_path, env?.pm_out_log_path].filter((p): p is string => !!p);
    },
    close() {
      pm2.disconnect();
    },
  };
}
