/**
 * Errors a sender may see. Every failure that reaches a person is one of these, with a
 * message that names what went wrong and, where there is one, the remedy.
 */

export type SendErrorCode =
  | 'parse'
  | 'limit'
  | 'unknown-object'
  | 'not-understood'
  | 'bad-argument'
  | 'method-failed'
  | 'no-model'
  | 'generation-failed'
  | 'not-allowed'
  | 'rate-limited'
  | 'undo-refused'
  | 'quota'
  | 'cancelled'
  | 'conflict'
  | 'internal';

/** An error that says what kind it is, so callers branch on `code`, never on message text. */
export abstract class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A send failed; the transaction it ran in is rolled back and the image is unchanged. */
export class SendError extends CodedError<SendErrorCode> {
  override readonly name = 'SendError';
}

export type ImageErrorCode =
  | 'locked'
  | 'corrupt'
  | 'io'
  | 'migration'
  | 'closed'
  /** Another send, here or in another process, committed to what this one read first. */
  | 'conflict'
  /** The image's database server cannot be reached now; nothing was changed. */
  | 'unavailable'
  /** A wait for a claim (see `Image.claim`) was given up by its signal; nothing was claimed. */
  | 'cancelled';

/** The image cannot be opened or used now. The image is left exactly as it was. */
export class ImageError extends CodedError<ImageErrorCode> {
  override readonly name = 'ImageError';
}

/**
 * - `missing-program`: a program it needs is not installed, or not built yet;
 * - `login-failed`: a chat platform refused the credentials, or could not be reached, at start;
 * - `timeout`: a service gave no answer in time;
 * - `command-failed`: a command it ran failed; the message ends with the command's last lines;
 * - `bad-file`: a file it reads lacks what it needs;
 * - `bad-environment`: the process was started with variables that contradict each other;
 * - `undeliverable`: a message for a chat could not be delivered there.
 */
export type OperatorErrorCode =
  | 'missing-program'
  | 'login-failed'
  | 'timeout'
  | 'command-failed'
  | 'bad-file'
  | 'bad-environment'
  | 'undeliverable';

/**
 * BAT OS, the steward or a script cannot do what it was started for, because of something
 * outside the image that an operator fixes; the message names it and the remedy.
 */
export class OperatorError extends CodedError<OperatorErrorCode> {
  override readonly name = 'OperatorError';
}

/**
 * A function's callers broke a contract they are meant to keep (they check first): a bug in
 * BAT OS, never a user's or an operator's mistake. Its one code is `invariant`.
 */
export class InternalError extends CodedError<'invariant'> {
  override readonly name = 'InternalError';
  constructor(message: string) {
    super('invariant', message);
  }
}
