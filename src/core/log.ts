/** Where the program writes what happened. Secrets never go through it. */
export interface Logger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

/** A logger that writes timestamped lines to stderr, leaving stdout to replies. */
export function stderrLogger(prefix = 'batos'): Logger {
  const write = (level: string, message: string, detail?: Record<string, unknown>) =>
    process.stderr.write(
      `${new Date().toISOString()} ${prefix} ${level} ${message}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`,
    );
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

/** A logger that drops everything, for tests and quiet tools. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
