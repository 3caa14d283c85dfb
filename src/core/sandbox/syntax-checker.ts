/**
 * Syntax checks on the host thread, by QuickJS itself (so it accepts exactly what the sandbox
 * will), compiling without ever running: `check` is synchronous and must never execute guest
 * code outside the worker. Loaded once, when this module is first imported.
 */
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  type QuickJSContext,
} from 'quickjs-emscripten';

/** The global WebAssembly object, which this project's TypeScript libs declare only as types. */
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
const CHECK_HEAP_BYTES = 16 * 1024 * 1024;
/**
 * Small on purpose: the parser's wasm frames live on the host thread's own stack, which must
 * never overflow first (that would leave the module's shadow stack pointer astray). 16 KiB
 * still parses blocks nested some 50 deep.
 */
const CHECK_STACK_BYTES = 16 * 1024;
/** 16 MiB (the QuickJS build's minimum) to 48 MiB. */
const wasmMemory = new wasm.Memory({ initial: 256, maximum: 768 });
const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }));

let context: QuickJSContext | undefined;

type WasmMemory = NonNullable<Parameters<typeof newVariant>[1]['wasmMemory']>;
interface WasmGlobal {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

/** The syntax error in a script, as "message (line:column)", or undefined when it compiles. */
export function syntaxError(script: string): string | undefined {
  const ctx = (context ??= newCheckContext());
  let result;
  try {
    result = ctx.evalCode(script, 'method.js', { compileOnly: true });
  } catch {
    // The host stack overflowed inside the parser after all.
    return 'the method is nested too deeply';
  }
  if (!result.error) {
    result.value.dispose();
    return undefined;
  }
  const error = ctx.dump(result.error) as { message?: unknown; stack?: unknown };
  result.error.dispose();
  const where = typeof error.stack === 'string' ? /:(\d+:\d+)/.exec(error.stack)?.[1] : undefined;
  const message = typeof error.message === 'string' ? error.message : 'syntax error';
  return where === undefined ? message : `${message} (${where})`;
}

function newCheckContext(): QuickJSContext {
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(CHECK_HEAP_BYTES);
  runtime.setMaxStackSize(CHECK_STACK_BYTES);
  return runtime.newContext();
}
