/**
 * The llama.cpp backend, one per process and settings. On Linux node-llama-cpp tests a
 * prebuilt binary in a child process before loading it (1–2 s), so a Mind reloaded in the
 * same process (tests, a model switch) reuses the backend instead of paying that again.
 */
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama } from 'node-llama-cpp';
import type { MindGpu } from './config.ts';
import { MindError } from './errors.ts';

const backends = new Map<string, Promise<Llama>>();

/** The shared backend for these settings, started on first use. */
export function sharedLlama(gpu: MindGpu, threads: number): Promise<Llama> {
  const key = `${gpu}:${threads}`;
  let backend = backends.get(key);
  if (!backend) {
    backend = getLlama({
      gpu,
      // A prebuilt binary or nothing: compiling llama.cpp at start-up would take minutes.
      build: 'never',
      maxThreads: threads,
      logLevel: LlamaLogLevel.error,
      progressLogs: false,
    }).catch((error: unknown) => {
      backends.delete(key);
      throw new MindError(
        'load-failed',
        `llama.cpp could not start (${(error as Error).message}).`,
        {
          cause: error,
        },
      );
    });
    backends.set(key, backend);
  }
  return backend;
}
