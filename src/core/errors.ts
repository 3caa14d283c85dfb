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
