/** What the UVM asks of whoever writes missing methods (the mind, in production). */
import type { MethodRequest as MethodPromptRequest } from '../mind/index.ts';
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

export interface MethodWriter {
  write(request: MethodRequest, signal?: AbortSignal): Promise<WrittenMethod>;
}
