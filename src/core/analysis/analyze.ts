/**
 * The static analysis of a method's source, used before a method is kept (model-written or
 * by hand) and by ALFRED's audit of the image. Pure: no I/O, no evaluation of the source.
 */
import { CodedError } from '../errors.ts';
import { checkAuthority } from './authority.ts';
import { sortFindings, findingAt } from './findings.ts';
import type { MethodFinding } from './findings.ts';
import { checkLostWrites } from './lost-write.ts';
import { checkSelfApi, selfNames } from './self-api.ts';
import { parseMethod } from './shape.ts';

/** Limits on a method's source. */
export interface MethodLimits {
  /** The largest source, in UTF-8 bytes. Default {@link DEFAULT_MAX_METHOD_BYTES}. */
  readonly maxBytes?: number;
}

/** 8 KiB: ample for a method; more is a sign the model is rambling. */
export const DEFAULT_MAX_METHOD_BYTES = 8 * 1024;

/** The result of analysing a method's source. */
export interface MethodAnalysis {
  /** True when no finding is an error: the method may run. */
  readonly ok: boolean;
  /** Every finding, errors and warnings, in source order. */
  readonly findings: readonly MethodFinding[];
  /** The source's size in UTF-8 bytes. */
  readonly bytes: number;
}

/**
 * Analyses a method's source: its shape (one function expression, `self` first), its size,
 * forbidden names and forms, its use of `self`, and lost writes. Never throws.
 */
export function analyzeMethod(source: string, limits: MethodLimits = {}): MethodAnalysis {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_METHOD_BYTES;
  const bytes = new TextEncoder().encode(source).length;
  const findings: MethodFinding[] = [];
  if (bytes > maxBytes) {
    const text = `the method is ${bytes.toLocaleString('en-US')} bytes; the limit is ${maxBytes.toLocaleString('en-US')} bytes — make it shorter`;
    findings.push(findingAt(source, 0, 'size', 'error', text));
  }
  const { fn, findings: shapeFindings } = parseMethod(source);
  findings.push(...shapeFindings);
  if (fn) {
    findings.push(...checkAuthority(source, fn));
    findings.push(...checkSelfApi(source, fn));
    findings.push(...checkLostWrites(source, fn, selfNames(fn)));
  }
  const sorted = sortFindings(findings);
  return { ok: !sorted.some((f) => f.severity === 'error'), findings: sorted, bytes };
}

/** `rejected`: the analysis found at least one error; `findings` names each. */
export type MethodCheckErrorCode = 'rejected';

/** Thrown by {@link checkMethodRules}; carries the findings for a retry prompt or a log. */
export class MethodCheckError extends CodedError<MethodCheckErrorCode> {
  override readonly name = 'MethodCheckError';
  /** The error findings, the reasons for the rejection. */
  readonly findings: readonly MethodFinding[];

  constructor(readonly analysis: MethodAnalysis) {
    const errors = analysis.findings.filter((f) => f.severity === 'error');
    super(
      'rejected',
      `the method was rejected (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n` +
        errors.map((f) => `- ${f.code}: ${f.message}`).join('\n'),
    );
    this.findings = errors;
  }
}

/**
 * The one rule for every method about to be kept, written by the model or by hand
 * (`defineMethod`), so the image never keeps what ALFRED's audit calls an error: returns the
 * analysis when the method may run (warnings allowed), otherwise throws a
 * {@link MethodCheckError} listing every error.
 */
export function checkMethodRules(source: string, limits: MethodLimits = {}): MethodAnalysis {
  const analysis = analyzeMethod(source, limits);
  if (!analysis.ok) throw new MethodCheckError(analysis);
  return analysis;
}
