/**
 * Static analysis of method sources: checks a method, model-written or by hand, before it is
 * kept, and serves ALFRED's audit of the image.
 */
export {
  analyzeMethod,
  checkMethodRules,
  DEFAULT_MAX_METHOD_BYTES,
  MethodCheckError,
} from './analyze.ts';
export type { MethodAnalysis, MethodCheckErrorCode, MethodLimits } from './analyze.ts';
export { FORBIDDEN_NAMES, FORBIDDEN_PROPERTIES } from './authority.ts';
export type { FindingCode, MethodFinding, Severity } from './findings.ts';
export { SELF_METHODS } from './self-api.ts';
export { findWrites } from './writes.ts';
