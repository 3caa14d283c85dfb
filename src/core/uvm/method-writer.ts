/** What the UVM asks of whoever writes missing methods (the mind, in production). */
import type { MethodProvenance, Oid, Value } from '../model/value.ts';

/** Everything the writer is told about the send that was not understood. */
export interface MethodRequest {
  readonly oid: Oid;
  readonly name: string | null;
  readonly slotNames: readonly string[];
  readonly parents: ReadonlyArray<{ readonly oid: Oid; readonly name: string | null }>;
  readonly selector: string;
  readonly args: readonly Value[];
  /** The sender's own words, when the message had any beyond the send. */
  readonly words?: string;
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
