/**
 * llama.cpp's `llama-server`, built from the very llama.cpp source node-llama-cpp ships
 * (`node_modules/node-llama-cpp/llama/gitRelease.bundle`, a git bundle), into the user's
 * cache folder, once per llama.cpp commit and backend:
 * `$XDG_CACHE_HOME/batos/llama-server/<commit>-<cpu|cuda>/` (`~/.cache/…` by default).
 * Nothing is downloaded: the bundle is cloned, cmake configures with the web UI's download
 * and HTTPS off, and only the `llama-server` target is built.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperatorError } from '../src/core/errors.ts';

export type LlamaServerBackend = 'cpu' | 'cuda';

/** Where one build lives, and whether it is done. */
export interface LlamaServerBuild {
  /** The llama.cpp commit the bundle holds. */
  readonly commit: string;
  readonly backend: LlamaServerBackend;
  /** The cache folder of this build. */
  readonly dir: string;
  /** The `llama-server` executable (present once built). */
  readonly binary: string;
}

/** The bundle node-llama-cpp ships its llama.cpp source in. */
export function llamaCppBundle(): string {
  // Its package exports hide package.json; the entry point is dist/index.js.
  const entry = createRequire(import.meta.url).resolve('node-llama-cpp');
  return join(dirname(entry), '..', 'llama', 'gitRelease.bundle');
}

/** The tools a build needs that this machine lacks, e.g. `['cmake']`; empty when all are there. */
export function missingBuildTools(): string[] {
  return ['git', 'cmake', 'c++'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/** The cache location of the build for the shipped llama.cpp and `backend`. */
export function llamaServerBuild(
  backend: LlamaServerBackend,
  cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
): LlamaServerBuild {
  const heads = execFileSync('git', ['bundle', 'list-heads', llamaCppBundle()], {
    encoding: 'utf8',
  });
  const commit = /^([0-9a-f]{40})/m.exec(heads)?.[1];
  if (!commit)
    throw new OperatorError(
      'bad-file',
      `${llamaCppBundle()} names no commit; reinstall node-llama-cpp.`,
    );
  const dir = join(cacheHome, 'batos', 'llama-server', `${commit.slice(0, 12)}-${backend}`);
  return { commit, backend, dir, binary: join(dir, 'build', 'bin', 'llama-server') };
}

/** Whether `build` has finished (its stamp is written only after a successful build). */
export function isBuilt(build: LlamaServerBuild): boolean {
  return existsSync(join(build.dir, 'built.json')) && existsSync(build.binary);
}

/** cmake's settings: no tests, examples, web UI download or HTTPS; CUDA when asked. */
function cmakeFlags(backend: LlamaServerBackend): string[] {
  return [
    '-DCMAKE_BUILD_TYPE=Release',
    '-DLLAMA_BUILD_SERVER=ON',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    '-DLLAMA_BUILD_APP=OFF',
    '-DLLAMA_USE_PREBUILT_UI=OFF',
    '-DLLAMA_OPENSSL=OFF',
    `-DGGML_CUDA=${backend === 'cuda' ? 'ON' : 'OFF'}`,
  ];
}

/** Runs a command, passing each output line to `onLine`; rejects with the last lines on failure. */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let partial = '';
    const take = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new OperatorError(
              'command-failed',
              `${command} ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`,
            ),
          ),
    );
  });
}

/** Whether the process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Holds the build folder's lock while `work` runs, so two processes (two test runs) never
 * build into one folder at once; a lock whose process is gone is taken over.
 */
async function withBuildLock<T>(
  dir: string,
  work: () => Promise<T>,
  onLine: (line: string) => void,
): Promise<T> {
  const lock = join(dir, 'build.lock');
  await mkdir(dir, { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(await readFile(lock, 'utf8').catch(() => '0'));
      if (!alive(holder)) {
        await rm(lock, { force: true });
        continue;
      }
      if (waited % 12 === 0) onLine(`waiting for the build in process ${holder} to finish…`);
      await sleep(5_000);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Builds `llama-server` for `backend` unless it is built already, showing cmake's output
 * through `onLine`; returns the build. `jobs` is passed to the compiler (default 2).
 */
export async function buildLlamaServer({
  backend = 'cpu',
  jobs = 2,
  onLine = () => {},
}: {
  backend?: LlamaServerBackend;
  jobs?: number;
  onLine?: (line: string) => void;
} = {}): Promise<LlamaServerBuild> {
  const build = llamaServerBuild(backend);
  if (isBuilt(build)) return build;
  const missing = missingBuildTools();
  if (missing.length > 0)
    throw new OperatorError(
      'missing-program',
      `Building llama-server needs ${missing.join(', ')}; install ${missing.join(' and ')} (e.g. apt-get install -y cmake g++ git).`,
    );
  return withBuildLock(
    build.dir,
    async () => {
      if (isBuilt(build)) return build;
      const source = join(build.dir, 'src');
      if (!existsSync(source)) {
        onLine(`cloning llama.cpp ${build.commit.slice(0, 12)} from ${llamaCppBundle()}`);
        await rm(`${source}.partial`, { recursive: true, force: true });
        await run(
          'git',
          ['clone', '--quiet', llamaCppBundle(), `${source}.partial`],
          build.dir,
          onLine,
        );
        await rename(`${source}.partial`, source);
      }
      onLine(`configuring (${backend})`);
      await run('cmake', ['-S', 'src', '-B', 'build', ...cmakeFlags(backend)], build.dir, onLine);
      onLine(`building llama-server with ${jobs} jobs (about 6–7 minutes on 2 cores, once)`);
      await run(
        'cmake',
        ['--build', 'build', '--config', 'Release', '--target', 'llama-server', `-j${jobs}`],
        build.dir,
        onLine,
      );
      await writeFile(
        join(build.dir, 'built.json'),
        JSON.stringify({ commit: build.commit, backend, builtAt: new Date().toISOString() }) + '\n',
      );
      return build;
    },
    onLine,
  );
}
