import { CodedError } from '../errors.ts';
import type { Oid } from '../model/value.ts';

/**
 * Why a method failed:
 * - `error`: the guest threw (or a host function it called threw and it did not catch that);
 * - `timeout`, `memory`, `stack`, `depth`: it hit a limit;
 * - `result-too-large`, `invalid-result`: it returned something that is not a value it may return;
 * - `invalid-method`: the source is not one function expression;
 * - `deferred-write`: a write the sandbox kept to hand over later was refused; the host runs
 *   the call again without keeping writes, so the refusal meets the line that made it;
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
  | 'deferred-write'
  | 'crash'
  | 'closed';

/**
 * A method run failed; its `code` is the {@link SandboxFailureReason}. The message is plain
 * text about the guest; it never carries host objects.
 */
export class SandboxError extends CodedError<SandboxFailureReason> {
  override readonly name = 'SandboxError';

  constructor(
    /** The selector of the top-level call. */
    readonly selector: string,
    /** The receiver of the top-level call. */
    readonly oid: Oid,
    reason: SandboxFailureReason,
    message: string,
    /** The guest's stack trace, where QuickJS had one. */
    readonly guestStack?: string,
  ) {
    super(reason, message);
  }

  /** Why the run failed: the `code`, under the name the sandbox's callers branch on. */
  get reason(): SandboxFailureReason {
    return this.code;
  }

  /**
   * Where in a method the failure happened, as `line 3 of spread`: the innermost line of a
   * method (not of the sandbox's own prelude) in the guest's stack, if it has one.
   */
  get location(): string | undefined {
    const frame = /\((\w+)\.js:(\d+)(?::\d+)?\)/.exec(
      (this.guestStack ?? '')
        .split('\n')
        .filter((line) => !line.includes('(prelude.js:'))
        .join('\n'),
    );
    return frame ? `line ${frame[2]} of ${frame[1]}` : undefined;
  }
}

/**
 * Why a method source is refused before it runs:
 * - `not-a-string`: the source is not text;
 * - `too-large`: it is over the sandbox's source limit;
 * - `too-deep`: its brackets nest deeper than the checker follows;
 * - `shape`: it is not one function expression of the method contract;
 * - `syntax`: QuickJS would not compile it.
 */
export type MethodSourceErrorCode = 'not-a-string' | 'too-large' | 'too-deep' | 'shape' | 'syntax';

/** A method source is not acceptable: the error names the problem. */
export class MethodSourceError extends CodedError<MethodSourceErrorCode> {
  override readonly name = 'MethodSourceError';
}
