/** What PostgreSQL's errors mean for the image, as {@link ImageError}s a person can act on. */
import { ImageError } from '../../errors.ts';

/** SQLSTATE classes and codes, and the socket errors of a server that is gone. */
const CONFLICT_CODES = new Set(['40001', '40P01']);
/** The SQLSTATE the commit checks raise when another process holds the image alone. */
const COMMIT_CHECK_FAILED = 'BA001';
const GONE_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** A PostgreSQL (or connection) failure while using the image at `location`. */
export function translatePgError(location: string, error: unknown): ImageError {
  if (error instanceof ImageError) return error;
  const { message, code } = error as { message?: string; code?: string };
  const text = message ?? String(error);
  // Raised by the commit checks (migrations 0008, 0013) when another process holds the image alone.
  if (code === COMMIT_CHECK_FAILED) return new ImageError('conflict', text, { cause: error });
  if (code !== undefined && CONFLICT_CODES.has(code))
    return new ImageError(
      'conflict',
      `Another BAT OS process changed the same objects at the same time (${text}).`,
      { cause: error },
    );
  if (
    (code !== undefined && (GONE_CODES.has(code) || code.startsWith('08'))) ||
    /Connection terminated|connection timeout|Query read timeout|Client has encountered a connection error/i.test(
      text,
    )
  )
    return new ImageError(
      'unavailable',
      `The image database ${location} cannot be reached (${text}). Nothing was changed; BAT OS reconnects by itself, so try again once PostgreSQL is back.`,
      { cause: error },
    );
  if (code === '28P01' || code === '28000')
    return new ImageError(
      'io',
      `PostgreSQL refused the login to ${location} (${text}). Check the user and password in BATOS_IMAGE.`,
      { cause: error },
    );
  if (code === '3D000')
    return new ImageError(
      'io',
      `${text} at ${location}. Create it first (for example \`createdb batos\`), then start BAT OS again.`,
      { cause: error },
    );
  return new ImageError('io', `The image database ${location} failed: ${text}`, {
    cause: error,
  });
}
