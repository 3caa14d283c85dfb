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
