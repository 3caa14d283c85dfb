/**
 * The sandbox that runs object methods: QuickJS in WebAssembly, in worker threads or, for
 * short calls, on the host thread.
 */
export {
  DEFAULT_SANDBOX_WORKERS,
  QuickJsMethodRunner,
  type QuickJsMethodRunnerOptions,
  type SandboxStats,
} from './runner.ts';
export { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from './limits.ts';
export {
  SandboxError,
  MethodSourceError,
  type MethodSourceErrorCode,
  type SandboxFailureReason,
} from './errors.ts';
export { METHOD_CONTRACT } from './method-contract.ts';
export type { HostBridge, MethodCall, MethodRunner, NestedSendResolution } from './contract.ts';
