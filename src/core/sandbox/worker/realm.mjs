/**
 * One QuickJS runtime and context inside the sandbox worker, built to the limits: the wasm
 * memory itself is capped (QuickJS's own limit does not bound it), the stack is small enough
 * that QuickJS overflows before the host does, and an interrupt handler enforces the deadline.
 */
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { CompileCache } from './compile-cache.mjs';
import { HARDEN_SOURCE, PRELUDE_SOURCE } from './guest-source.mjs';
import { HeapCap } from './heap-cap.mjs';

const WASM_PAGE = 65536;
/** The QuickJS build asks for 16 MiB of wasm memory to start with. */
const MIN_WASM_PAGES = 256;

/**
 * The one WebAssembly constructor used here. Node has it, but neither ES2023's lib nor
 * @types/node 20 declares it (lib.dom does).
 * @type {{ Memory: new (descriptor: { initial: number, maximum: number }) => { buffer: ArrayBuffer, grow: (pages: number) => number } }}
 */
const Wasm = /** @type {{ WebAssembly: typeof Wasm }} */ (/** @type {unknown} */ (globalThis))
  .WebAssembly;

/** @typedef {import('../errors.ts').SandboxFailureReason} SandboxFailureReason */
/** @typedef {import('quickjs-emscripten').QuickJSHandle} QuickJSHandle */
/** @typedef {(op: string, oid: number, name: string, payload: string) => string} GuestHost */
/**
 * How a realm is built.
 * @typedef {object} RealmOptions
 * @property {() => Promise<void>} [whenIdle] resolves when the thread may be held up: asked
 *   before each step that holds it (loading the QuickJS module, building the realm)
 * @property {number} [spareHeapBytes] caps the heap's growth past the built realm to about
 *   this (see heap-cap.mjs); a worker's realm grows to its limits instead
 */

/**
 * A guest-visible failure: why, the message, and the guest stack where there is one. It never
 * leaves the worker: the host receives its reason and message and raises a SandboxError.
 */
export class GuestFailure extends Error {
  /**
   * @param {SandboxFailureReason} reason
   * @param {string} message
   * @param {string} [guestStack]
   * @param {string} [guestMessage]
   */
  constructor(reason, message, guestStack, guestMessage = message) {
    super(message);
    this.reason = reason;
    this.guestStack = guestStack;
    /** The guest error's own message, without its name: what a calling method sees. */
    this.guestMessage = guestMessage;
  }
}

export class Realm {
  /**
   * @param {import('../limits.ts').SandboxLimits} limits
   * @param {GuestHost} host answers the guest's requests (see guest-source.mjs)
   * @param {() => void} onCompile called once per compilation
   * @param {RealmOptions} [options]
   * @returns {Promise<Realm>}
   */
  static async create(limits, host, onCompile, { whenIdle = async () => {}, spareHeapBytes } = {}) {
    const pages = Math.max(MIN_WASM_PAGES, Math.ceil(limits.wasmMemoryBytes / WASM_PAGE));
    const wasmMemory = new Wasm.Memory({ initial: MIN_WASM_PAGES, maximum: pages });
    const cap = spareHeapBytes === undefined ? undefined : new HeapCap(wasmMemory);
    await whenIdle();
    const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));
    await whenIdle();
    const realm = new Realm(module, limits, host, onCompile);
    if (cap !== undefined && spareHeapBytes !== undefined) {
      cap.fill(module, spareHeapBytes);
      realm.heapCap = cap;
    }
    return realm;
  }

  /**
   * @param {import('quickjs-emscripten').QuickJSWASMModule} module
   * @param {import('../limits.ts').SandboxLimits} limits
   * @param {GuestHost} host
   * @param {() => void} onCompile
   */
  constructor(module, limits, host, onCompile) {
    this.deadline = Infinity;
    /** Whether the interrupt handler stopped the guest since the clock last started. */
    this.interrupted = false;
    /** The cap on the heap's growth, if it has one (see {@link RealmOptions}). @type {HeapCap | undefined} */
    this.heapCap = undefined;
    this.onCompile = onCompile;
    this.runtime = module.newRuntime();
    this.runtime.setMemoryLimit(limits.memoryBytes);
    this.runtime.setMaxStackSize(limits.stackBytes);
    this.runtime.setInterruptHandler(() => {
      // Once past the deadline, keep saying yes: a guest that catches one interrupt meets the next.
      if (performance.now() < this.deadline) return false;
      this.interrupted = true;
      return true;
    });
    const ctx = this.runtime.newContext();
    this.ctx = ctx;
    this.cache = new CompileCache(limits.compileCacheSize);

    const hostFn = ctx.newFunction('host', (op, oid, name, payload) =>
      ctx.newString(
        host(ctx.getString(op), ctx.getNumber(oid), ctx.getString(name), ctx.getString(payload)),
      ),
    );
    const factory = ctx.unwrapResult(ctx.evalCode(PRELUDE_SOURCE, 'prelude.js'));
    const api = ctx.unwrapResult(ctx.callFunction(factory, ctx.undefined, hostFn));
    this.invokeFn = ctx.getProp(api, 'invoke');
    this.adoptFn = ctx.getProp(api, 'adopt');
    for (const handle of [api, factory, hostFn]) handle.dispose();
    ctx.unwrapResult(ctx.evalCode(HARDEN_SOURCE, 'harden.js')).dispose();
  }

  /**
   * Starts the clock for a top-level call.
   * @param {number} timeoutMs
   */
  startClock(timeoutMs) {
    this.interrupted = false;
    this.heapCap?.reset();
    this.deadline = performance.now() + timeoutMs;
  }

  /**
   * Whether the heap asked to grow past its cap since the clock last started: a call that
   * needs more than the in-thread realm's spare heap, whether or not it caught the failure.
   * @returns {boolean}
   */
  get outgrew() {
    return this.heapCap?.outgrew ?? false;
  }

  /**
   * Whether the heap has room for calls again (see HeapCap.roomy); asked after one outgrew it.
   * @returns {boolean}
   */
  heapRoomy() {
    return this.heapCap?.roomy() ?? true;
  }

  /**
   * The compiled function for a cache key, if this realm has it.
   * @param {string} cacheKey
   * @returns {QuickJSHandle | undefined}
   */
  cached(cacheKey) {
    return this.cache.get(cacheKey);
  }

  /**
   * Compiles a source and keeps it under its cache key.
   * @param {string} cacheKey
   * @param {string} source
   * @param {string} selector
   * @returns {QuickJSHandle}
   */
  compile(cacheKey, source, selector) {
    const ctx = this.ctx;
    const result = ctx.evalCode(`'use strict';(${source}\n)`, `${selector}.js`);
    if (result.error) throw this.failure(result.error, 'invalid-method');
    const fn = result.value;
    const sourceHandle = ctx.newString(source);
    const verdict = ctx.callFunction(this.adoptFn, ctx.undefined, fn, sourceHandle);
    sourceHandle.dispose();
    const ok = !verdict.error && ctx.dump(verdict.value) === true;
    (verdict.error ?? verdict.value).dispose();
    if (!ok) {
      fn.dispose();
      throw new GuestFailure('invalid-method', 'a method must be exactly one function expression');
    }
    this.onCompile();
    this.cache.set(cacheKey, fn);
    return fn;
  }

  /**
   * Runs a compiled method; returns its result as JSON text or throws a {@link GuestFailure}.
   * @param {QuickJSHandle} fn
   * @param {number} oid
   * @param {string} argsJson
   * @param {string} caller
   * @returns {string}
   */
  invoke(fn, oid, argsJson, caller) {
    const ctx = this.ctx;
    const oidHandle = ctx.newNumber(oid);
    const argsHandle = ctx.newString(argsJson);
    const callerHandle = ctx.newString(caller);
    const result = ctx.callFunction(
      this.invokeFn,
      ctx.undefined,
      fn,
      oidHandle,
      argsHandle,
      callerHandle,
    );
    oidHandle.dispose();
    argsHandle.dispose();
    callerHandle.dispose();
    if (result.error) throw this.failure(result.error, 'error');
    const text = ctx.getString(result.value);
    result.value.dispose();
    if (text.startsWith('!')) throw new GuestFailure('invalid-result', text.slice(1));
    return text;
  }

  /**
   * Whether guest code left promise jobs behind (methods must be synchronous).
   * @returns {boolean}
   */
  hasPendingJob() {
    return this.runtime.hasPendingJob();
  }

  /**
   * Turns a guest exception into a {@link GuestFailure}, classifying the limits QuickJS enforces.
   * @param {QuickJSHandle} errorHandle
   * @param {SandboxFailureReason} fallbackReason
   * @returns {GuestFailure}
   */
  failure(errorHandle, fallbackReason) {
    const error = this.ctx.dump(errorHandle);
    errorHandle.dispose();
    const isError =
      typeof error === 'object' && error !== null && typeof error.message === 'string';
    // Out of memory, QuickJS may fail to build even the error, and throws null instead.
    const outOfMemory = error === null;
    const guestMessage = isError
      ? error.message
      : outOfMemory
        ? 'out of memory'
        : `uncaught ${safeString(error)}`;
    const message = isError ? `${error.name ?? 'Error'}: ${guestMessage}` : guestMessage;
    const stack = typeof error?.stack === 'string' ? error.stack : undefined;
    if (this.interrupted) {
      return new GuestFailure('timeout', 'the method ran past its time limit', stack);
    }
    const reason =
      outOfMemory || /^InternalError: out of memory/.test(message)
        ? 'memory'
        : /^(InternalError|RangeError): stack overflow/.test(message)
          ? 'stack'
          : fallbackReason;
    return new GuestFailure(reason, message, stack, guestMessage);
  }
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function safeString(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return 'value';
  }
}
