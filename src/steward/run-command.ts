/**
 * Running one step command: no shell, a time limit that kills the whole process tree, full
 * output to a log file and the last lines kept for the report.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../core/private-files.ts';
import type { StepCommand } from '../core/upgrade/index.ts';

/** How a command ended. */
export interface CommandRun {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last lines of stdout and stderr together. */
  readonly tail: string;
  /** Why it failed, in words (`exit code 1`, `timed out after 120 s`…). */
  readonly reason: string;
}

/** Lines of output kept for the report. */
const TAIL_LINES = 20;
const TAIL_BYTES = 16 * 1024;

/** The last `lines` lines of `text`. */
export function lastLines(text: string, lines = TAIL_LINES): string {
  return text
    .split(/\r?\n/)
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .slice(-lines)
    .join('\n');
}

/** Kills a detached child's whole process group (npm → sh → node…), ignoring the gone. */
export function killTree(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Runs `command`, appending its output to `logFile` (created 0600). `onSpawn` gets the child's pid (the
 * steward records it so that, if killed itself, it can stop an orphaned step when back).
 */
export async function runCommand(
  command: StepCommand,
  env: Readonly<Record<string, string>>,
  logFile: string,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<CommandRun> {
  await ensurePrivateDir(path.dirname(logFile));
  const log = createWriteStream(logFile, { flags: 'a', mode: PRIVATE_FILE_MODE });
  log.write(`$ ${[command.file, ...command.args].join(' ')}\n`);
  const started = Date.now();
  let tail = '';
  const keep = (chunk: Buffer): void => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  const outcome = await new Promise<Omit<CommandRun, 'tail' | 'durationMs' | 'reason'>>(
    (resolve) => {
      // detached: the child leads its own process group, so a timeout can kill all of it.
      const child = spawn(command.file, [...command.args], {
        cwd: command.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) killTree(child.pid);
      }, command.timeoutMs);
      if (child.pid !== undefined) onSpawn(child.pid);
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (error) => {
        clearTimeout(timer);
        keep(Buffer.from(`${error.message}\n`));
        resolve({ ok: false, exitCode: null, signal: null, timedOut });
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        resolve({ ok: exitCode === 0 && !timedOut, exitCode, signal, timedOut });
      });
    },
  );
  await new Promise<void>((resolve) => log.end(resolve));
  const reason = outcome.timedOut
    ? `timed out after ${Math.round(command.timeoutMs / 1000)} s`
    : outcome.exitCode !== null
      ? `exit code ${outcome.exitCode}`
      : `ended by ${outcome.signal ?? 'an error'}`;
  return { ...outcome, durationMs: Date.now() - started, tail: lastLines(tail), reason };
}
