/**
 * vitest's global setup: a real llama-server serving the forged model and the forged persona
 * adapters, for the remote mind's tests. Builds llama-server into the user's cache first when
 * it is not there (minutes, once per llama.cpp version), then starts it on a free loopback
 * port for the whole run. Only a machine without the tools to build it goes without, and
 * the remote tests say so instead of running — except under CI (CI=true), where the run
 * fails: there the remote tests must run, never pass by skipping.
 */
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  buildLlamaServer,
  isBuilt,
  llamaServerBuild,
  missingBuildTools,
} from '../../scripts/llama-server-cache.ts';
import { startLlamaServer } from '../../scripts/llama-server-process.ts';
import { forged } from './forged.ts';

/** What the remote tests get: the server, or why there is none. */
export type SharedLlamaServer =
  { readonly url: string; readonly binary: string } | { readonly unavailable: string };

declare module 'vitest' {
  export interface ProvidedContext {
    llamaServer: SharedLlamaServer;
  }
}

/** Parallel slots: two test workers, each with a few requests in flight. */
const SLOTS = 4;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A build already in the cache needs no tools (finding it needs git, one of them).
  const cached = missingBuildTools().includes('git') ? false : isBuilt(llamaServerBuild('cpu'));
  const missing = cached ? [] : missingBuildTools();
  if (missing.length > 0) {
    const unavailable = `llama-server cannot be built here: ${missing.join(', ')} missing`;
    if (process.env.CI === 'true')
      throw new Error(
        `${unavailable}. Under CI the remote mind's tests must run: install them (apt-get install cmake g++), then npm run llama-server:build.`,
      );
    process.stderr.write(`${unavailable}; the remote mind's tests will not run.\n`);
    project.provide('llamaServer', { unavailable });
    return async () => {};
  }
  const build = await buildLlamaServer({
    onLine: (line) => {
      if (!/warning|^\s|note:/u.test(line)) process.stderr.write(`llama-server build: ${line}\n`);
    },
  });
  const files = await forged();
  const server = await startLlamaServer({
    binary: build.binary,
    model: files.model,
    loraDir: join(files.outDir, 'lora'),
    parallel: SLOTS,
    slotContext: 4096,
    threads: 1,
  });
  project.provide('llamaServer', { url: server.url, binary: build.binary });
  return () => server.stop();
}
