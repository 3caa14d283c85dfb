/**
 * `npm start` on a real pseudo-terminal, as an operator at a keyboard sees it: util-linux
 * `script` gives the program a pty (so stdin and stdout are TTYs and readline runs raw), and
 * what the test writes arrives as keystrokes — `\r` is Enter, `\x03` is Ctrl+C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from '../../support/run-batos.ts';

/** Whether `script` is there to give a pty (util-linux; macOS's differs). */
export const HAS_SCRIPT =
  spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux') ?? false;

/** Everything the terminal showed, without colours and cursor movement. */
export function plain(screen: string): string {
  // eslint-disable-next-line no-control-regex
  return screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

export interface Terminal {
  /** What was shown so far, escapes included. */
  readonly screen: () => string;
  /** Types `keys`. */
  type(keys: string): void;
  /**
   * Resolves once the screen's text (see {@link plain}) after offset `from` matches
   * `pattern`, with the offset where the match ends, for the next wait.
   */
  until(pattern: RegExp, from?: number, timeoutMs?: number): Promise<number>;
  /** Resolves with the exit status. */
  readonly exited: Promise<number | null>;
  readonly child: ChildProcess;
}

/** Starts `npm start` on a pty with `env` (on top of this process's environment). */
export function startOnPty(env: Record<string, string>): Terminal {
  const child = spawn('script', ['-qfec', 'npm start --silent', '/dev/null'], {
    cwd: REPO_ROOT,
    env: { ...process.env, BATOS_THREADS: '1', COLUMNS: '200', LINES: '50', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout!.on('data', (d: Buffer) => (screen += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (screen += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    screen: () => screen,
    exited,
    type: (keys) => child.stdin!.write(keys),
    until: (pattern, from = 0, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const look = () => {
          const found = pattern.exec(plain(screen).slice(from));
          if (found) resolve(from + found.index + found[0].length);
          else if (Date.now() - started > timeoutMs)
            reject(new Error(`${pattern} never showed. The terminal showed:\n${plain(screen)}`));
          else setTimeout(look, 25);
        };
        look();
      }),
  };
}
