/** What the UVM asks of whoever writes missing methods (the mind, in production). */
import type { MethodRequest as MethodPromptRequest } from '../mind/index.ts';
import type { SendError } from '../errors.ts';
import type { MethodProvenance, Value } from '../model/value.ts';

/**
 * Everything the writer is told about the send that was not understood: what the covenant
 * prompt describes, plus who asked.
 */
export interface MethodRequest extends MethodPromptRequest {
  readonly args: readonly Value[];
  /** Who asked, for provenance and for per-user generation limits. */
  readonly requestedBy: string;
}

/** A method written for a request: source already checked, and where it came from. */
export interface WrittenMethod {
  readonly source: string;
  readonly provenance: MethodProvenance;
}

/** Methods the model may write for one send, by default (BATOS_METHOD_ATTEMPTS). */
export const DEFAULT_METHOD_ATTEMPTS = 3;

/**
 * A written method that failed its checks or its first run (thrown, like a lookup's
 * NeedsMethod, only within the UVM): its source and why go back to the model for the next
 * attempt; `error` is what the sender hears when no attempt is left.
 */
export class RejectedMethod {
  constructor(
    readonly source: string,
    readonly error: SendError,
  ) {}
}

export interface MethodWriter {
  write(request: MethodRequest, signal?: AbortSignal): Promise<WrittenMethod>;
}
