/** Types for wire.mjs (plain JavaScript, because the sandbox worker loads it without tsx). */
export declare const RUN: 'R';
export declare const VALUE: 'v';
export declare const UNDEFINED: 'u';
export declare const ERROR: 'e';
export declare const METHOD: 'm';
export declare const REQUEST: 'H';
export declare const DONE: 'D';
export declare const FAILED: 'F';
export declare const SOURCE: 'S';
export declare const REFUSED: 'x';

/** A MethodCall as JSON, without its source. */
export declare function encodeCall(call: {
  readonly cacheKey: string;
  readonly self: number;
  readonly selector: string;
  readonly args: readonly unknown[];
  readonly writable?: boolean;
  readonly own?: Readonly<Record<string, unknown>>;
}): string;

/** DONE's payload: the kept writes' JSON, a newline, the result's JSON. */
export declare function encodeDone(writes: string, resultJson: string): string;

/** What the worker reports when a run fails. */
export interface WireFailure {
  readonly reason: string;
  readonly message: string;
  readonly guestStack?: string;
  /** The worker's QuickJS can no longer be trusted; the host replaces the worker. */
  readonly fatal: boolean;
}
