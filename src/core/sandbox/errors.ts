import type { Oid } from '../model/value.ts';

/**
 * Why a method failed:
 * - `error`: the guest threw (or a host function it called threw and it did not catch that);
 * - `timeout`, `memory`, `stack`, `depth`: it hit a limit;
 * - `result-too-large`, `invalid-result`: it returned something that is not a value it may return;
 * - `invalid-method`: the source is not one function expression;
 * - `crash`: the sandbox itself failed (the worker is replaced);
 * - `closed`: the runner was closed.
 */
export type SandboxFailureReason =
  | 'error'
  | 'timeout'
  | 'memory'
  | 'stack'
  | 'depth'
  | 'result-too-large'
  | 'invalid-result'
  | 'invalid-method'
  | 'crash'
  | 'closed';

/** A method run failed. The message is plain text about the guest; it never carries host objects. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';

  constructor(
    /** The selector of the top-level call. */
    readonly selector: string,
    /** The receiver of the top-level call. */
    readonly oid: Oid,
    readonly reason: SandboxFailureReason,
    message: string,
    /** The guest's stack trace, where QuickJS had one. */
    readonly guestStack?: string,
  ) {
    super(message);
  }
}

/** A method source is not acceptable: the error names the problem. */
export class MethodSourceError extends Error {
  override readonly name = 'MethodSourceError';
}
