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
  | 'internal';

/** A send failed; the transaction it ran in is rolled back and the image is unchanged. */
export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    readonly code: SendErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ImageErrorCode = 'locked' | 'corrupt' | 'io' | 'migration' | 'closed';

/** The image file cannot be opened or used. The file is left exactly as it was. */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
