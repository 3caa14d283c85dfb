import { analyzeMethod } from '../../../src/core/analysis/index.ts';
import type { FindingCode, MethodFinding } from '../../../src/core/analysis/index.ts';

/** The findings of one code in a method's analysis. */
export function findingsOf(source: string, code: FindingCode): MethodFinding[] {
  return analyzeMethod(source).findings.filter((f) => f.code === code);
}

/** Wraps a body in a method with `self` and one argument `x`. */
export function method(body: string): string {
  return `function (self, x) {\n${body}\n}`;
}
