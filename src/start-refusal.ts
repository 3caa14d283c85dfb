/**
 * How a start that cannot go on ends: the exit codes pm2 and the steward read, and the lines
 * that say why. Kept apart from the checks themselves so that `--help` and `--version`
 * answer without loading them.
 */
import { createLogger } from './core/log.ts';

/**
 * Exit codes: a wrong setting (78, EX_CONFIG: pm2 does not restart on it), a platform that
 * did not answer (69, EX_UNAVAILABLE: worth a later try), bad usage (2).
 */
export const EXIT = { config: 78, unavailable: 69, usage: 2 } as const;

/**
 * Says why BAT OS does not start, one line per problem: as text, or as one JSON log line each
 * when the logs are JSON (BATOS_LOG_FORMAT), so a log collector sees it too.
 */
export function refuseStart(lines: readonly string[], format: 'text' | 'json'): void {
  if (format === 'text') {
    process.stderr.write(`BAT OS cannot start:\n  ${lines.join('\n  ')}\n`);
    return;
  }
  const log = createLogger({ format });
  for (const line of lines) log.error(`BAT OS cannot start: ${line}`);
}
