/**
 * What the static analysis of a method reports: a list of findings, each naming the problem
 * and where it is, so a person (or the model, on a retry) can fix it.
 */
import { getLineInfo } from 'acorn';

/** `error`: the method must not run (or, in the audit, is broken); `warning`: probably a bug. */
export type Severity = 'error' | 'warning';

/**
 * The kinds of finding:
 * - `parse`: the source is not valid JavaScript;
 * - `shape`: valid JavaScript, but not exactly one synchronous function expression;
 * - `self-param`: the first parameter is missing or not named `self`;
 * - `size`: the source is over the size limit;
 * - `forbidden`: a name, property or form that grants or probes authority;
 * - `self-api`: a use of `self` outside its API (get, set, remove, slotNames, send, oid);
 * - `lost-write`: a value read from a slot is changed but never written back;
 * - `writes`: the method changes the image (reported only when it must only read).
 */
export type FindingCode =
  'parse' | 'shape' | 'self-param' | 'size' | 'forbidden' | 'self-api' | 'lost-write' | 'writes';

/** One problem in a method's source. `line` and `column` are both 1-based. */
export interface MethodFinding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** Starts with `line:column:` and says what is wrong and what to do instead. */
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** Builds a finding at a source offset; the message gets its `line:column:` prefix here. */
export function findingAt(
  source: string,
  offset: number,
  code: FindingCode,
  severity: Severity,
  text: string,
): MethodFinding {
  const { line, column } = getLineInfo(source, Math.max(0, Math.min(offset, source.length)));
  return { code, severity, line, column: column + 1, message: `${line}:${column + 1}: ${text}` };
}

/** Findings in source order, duplicates (same place, same message) dropped. */
export function sortFindings(findings: readonly MethodFinding[]): MethodFinding[] {
  const seen = new Set<string>();
  return [...findings]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .filter((f) => {
      const key = `${f.code}\u0000${f.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
