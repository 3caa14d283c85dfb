import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forge } from '../../tools/forge/index.ts';

/**
 * Hands a file straight to llama.cpp in a child process and reports how the child ended:
 * the malformed fixtures are worth refusing only if llama.cpp really dies on them.
 */
async function loadInChild(
  modelPath: string,
  adapterPath?: string,
): Promise<{ code: number | null; signal: string | null }> {
  const library = pathToFileURL(createRequire(import.meta.url).resolve('node-llama-cpp')).href;
  // A script file, not \`node -e\`: node-llama-cpp forks a binary test that inherits execArgv.
  const script = join(
    tmpdir(),
    `batos-load-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`,
  );
  await writeFile(
    script,
    `import { getLlama, LlamaLogLevel } from ${JSON.stringify(library)};
    const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.disabled });
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(modelPath)} });
    const adapter = ${JSON.stringify(adapterPath ?? null)};
    if (adapter) await model.createContext({ contextSize: 256, lora: { adapters: [{ filePath: adapter }] } });
    process.exit(0);
    `,
  );
  try {
    return await new Promise((resolve, reject) => {
      // In the temporary folder, so a core dump (where enabled) never lands in the repository.
      const child = spawn(process.execPath, [script], { stdio: 'ignore', cwd: tmpdir() });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
  } finally {
    await rm(script, { force: true });
  }
}

describe('the malformed fixtures', () => {
  it('really kill a process that hands them to llama.cpp unchecked', async () => {
    const files = await forge({ outDir: join(tmpdir(), 'batos-forge-tests') });
    const [good, alpha, feedForward] = await Promise.all([
      loadInChild(files.model, files.adapters.ROBIN),
      loadInChild(files.model, files.malformed.adapterIntegerAlpha),
      loadInChild(files.malformed.modelMissingFeedForward),
    ]);
    expect(good).toEqual({ code: 0, signal: null });
    expect(alpha.signal).toBe('SIGABRT');
    expect(feedForward.signal).toBe('SIGABRT');
  });
});
