import { InternalError } from '../errors.ts';

/** How much a method may use before the sandbox stops it. */
export interface SandboxLimits {
  /** Interrupt deadline for one top-level call, nested sends included (ms). */
  readonly timeoutMs: number;
  /**
   * Hard wall-clock limit for one top-level call (ms): past it the host terminates the worker,
   * whatever QuickJS is doing (a long native string operation ignores the interrupt).
   */
  readonly hardTimeoutMs: number;
  /** QuickJS's own heap limit (bytes). */
  readonly memoryBytes: number;
  /** Cap on the whole WebAssembly memory (bytes, at least 16 MiB): what really bounds memory. */
  readonly wasmMemoryBytes: number;
  /** QuickJS stack limit (bytes, at most 256 KiB, or the host stack overflows first). */
  readonly stackBytes: number;
  /** How deep nested sends may go. */
  readonly maxDepth: number;
  /** Largest result, as serialised JSON (bytes). */
  readonly maxResultBytes: number;
  /** Largest message between host and worker: a slot value, arguments, a result (bytes). */
  readonly maxTransferBytes: number;
  /** Largest method source that {@link MethodRunner.check} accepts (bytes). */
  readonly maxSourceBytes: number;
  /** How many compiled methods the worker keeps. */
  readonly compileCacheSize: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = Object.freeze({
  timeoutMs: 1000,
  hardTimeoutMs: 1500,
  memoryBytes: 32 * MiB,
  wasmMemoryBytes: 64 * MiB,
  stackBytes: 256 * 1024,
  maxDepth: 64,
  maxResultBytes: 1 * MiB,
  maxTransferBytes: 4 * MiB,
  maxSourceBytes: 64 * 1024,
  compileCacheSize: 512,
});

/**
 * Fills in defaults and rejects limits that would not protect the host (an InternalError: no
 * setting sets them, so a bad one is a caller's bug).
 */
export function resolveLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new InternalError(`sandbox limit ${name} must be positive`);
  }
  if (limits.stackBytes > 256 * 1024)
    throw new InternalError('sandbox stackBytes must be at most 256 KiB');
  if (limits.wasmMemoryBytes < 16 * MiB)
    throw new InternalError('sandbox wasmMemoryBytes must be at least 16 MiB');
  if (limits.hardTimeoutMs < limits.timeoutMs) {
    throw new InternalError('sandbox hardTimeoutMs must not be below timeoutMs');
  }
  if (limits.maxTransferBytes < limits.maxResultBytes + 64) {
    throw new InternalError('sandbox maxTransferBytes must exceed maxResultBytes');
  }
  return Object.freeze(limits);
}
