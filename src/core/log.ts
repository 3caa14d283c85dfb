/** Where the program writes what happened. Secrets never go through it. */
export interface Logger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

/** Log levels, least severe first. */
export const LOG_LEVELS = ['info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How lines are written: `text` or one JSON object per line. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How a {@link createLogger} logger writes. */
export interface LogOptions {
  /** Names the program in each line (`batos`, `steward`). */
  readonly source?: string;
  /** The least severe level written (default `info`). */
  readonly level?: LogLevel;
  /** `text`: `TIME SOURCE LEVEL message {detail}`; `json`: one JSON object per line. */
  readonly format?: LogFormat;
  /** Where a finished line (with its newline) goes; stderr unless given. */
  readonly write?: (line: string) => void;
}

/**
 * A logger that writes one line per entry, each with exactly one timestamp (pm2 adds none:
 * see ecosystem.config.js).
 */
export function createLogger({
  source = 'batos',
  level = 'info',
  format = 'text',
  write = (line) => process.stderr.write(line),
}: LogOptions = {}): Logger {
  const least = LOG_LEVELS.indexOf(level);
  const entry = (at: LogLevel) => (message: string, detail?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(at) < least) return;
    const time = new Date().toISOString();
    write(
      format === 'json'
        ? `${JSON.stringify({ time, source, level: at, message, ...(detail ? { detail } : {}) })}\n`
        : `${time} ${source} ${at} ${message}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`,
    );
  };
  return { info: entry('info'), warn: entry('warn'), error: entry('error') };
}

/** A logger that writes timestamped text lines to stderr, leaving stdout to replies. */
export function stderrLogger(source = 'batos'): Logger {
  return createLogger({ source });
}

/** A logger that drops everything, for tests and quiet tools. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
