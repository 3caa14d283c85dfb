/** Small limits so the limit tests finish quickly, and a runner plus store for each test file. */
import { QuickJsMethodRunner, type SandboxLimits } from '../../../src/core/sandbox/index.ts';

export const TEST_LIMITS: Partial<SandboxLimits> = {
  timeoutMs: 300,
  hardTimeoutMs: 600,
  memoryBytes: 16 * 1024 * 1024,
  wasmMemoryBytes: 32 * 1024 * 1024,
  maxDepth: 16,
};

export function newRunner(limits: Partial<SandboxLimits> = {}): QuickJsMethodRunner {
  return new QuickJsMethodRunner({ limits: { ...TEST_LIMITS, ...limits } });
}
