import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Waits for `child` to exit and gives back what it wrote; after `timeoutMs` it is killed and
 * the promise rejects with its output so far.
 */
export function finished(
  child: ChildProcess,
  what: string,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${what} did not finish in ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs `npm start` in the repository with `input` piped to stdin, as a user would:
 * `printf 'genesis color\n' | npm start`; `args` go after `--` (`--check`).
 */
export function runBatos(
  input: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
  args: readonly string[] = [],
): Promise<RunResult> {
  const child = spawn('npm', ['start', '--silent', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, BATOS_THREADS: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = finished(child, 'npm start', timeoutMs);
  child.stdin.end(input);
  return result;
}

/** A BAT OS process serving until stopped, as pm2 runs it (Node with tsx as an import hook). */
export interface RunningBatos {
  readonly child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  /** Resolves once its output matches `pattern`; rejects if it exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends SIGTERM and waits for it to exit: its output, exit code and all. */
  stop(timeoutMs?: number): Promise<RunResult>;
}

/** Starts `node --import tsx src/main.ts` with `env` over this process's environment. */
export function startBatos(env: Record<string, string>): RunningBatos {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, BATOS_THREADS: '1', BATOS_CONSOLE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const changed = new Set<() => void>();
  const notify = (): void => changed.forEach((check) => check());
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), notify()));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), notify()));
  const exited = new Promise<RunResult>((resolve) =>
    child.once('exit', (code) => (resolve({ code, stdout, stderr }), notify())),
  );
  const output = (): string => stdout + stderr;
  return {
    child,
    output,
    waitForOutput(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          changed.delete(check);
          clearTimeout(timer);
          if (error === undefined) resolve();
          else reject(error);
        };
        const check = (): void => {
          if (pattern.test(output())) done();
          else if (child.exitCode !== null || child.signalCode !== null)
            done(new Error(`BAT OS exited before printing ${pattern}:\n${output()}`));
        };
        const timer = setTimeout(
          () => done(new Error(`BAT OS did not print ${pattern} in ${timeoutMs} ms:\n${output()}`)),
          timeoutMs,
        );
        changed.add(check);
        check();
      });
    },
    async stop(timeoutMs = 60_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
