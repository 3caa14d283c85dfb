/**
 * Starts a built `llama-server` with a model and the persona adapters of a LoRA folder
 * (`--lora A,B,…`, one list, as llama-server now asks: it warns that a repeated `--lora` may
 * keep only the last; `--lora-init-without-apply`: none applies unless a request
 * asks), on a loopback port, and waits until it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperatorError } from '../src/core/errors.ts';
import { validateAdapterFile, validateModelFile } from '../src/core/mind/index.ts';

export interface LlamaServerOptions {
  /** The `llama-server` executable. */
  readonly binary: string;
  /** The GGUF model file. */
  readonly model: string;
  /** The folder whose `*.gguf` adapters the server loads (none applied by default). */
  readonly loraDir?: string;
  readonly host?: string;
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** Parallel slots (conversations decoded together). */
  readonly parallel?: number;
  /** Tokens of context per slot; the server gets `parallel ×` this. */
  readonly slotContext?: number;
  readonly threads?: number;
  /** More `llama-server` arguments, passed as they are. */
  readonly extraArgs?: readonly string[];
  /** Each line the server logs. */
  readonly onLine?: (line: string) => void;
  /** How long `stop` waits for it to exit on SIGTERM before it kills it (ms; default 5 s). */
  readonly stopGraceMs?: number;
}

/**
 * A server asked to stop may not (llama-server has been seen to hang on SIGTERM while it
 * held connections open): after this long it is killed.
 */
const STOP_GRACE_MS = 5_000;

export interface RunningLlamaServer {
  readonly url: string;
  /** The adapter files it loaded; adapters that failed the checks are left out. */
  readonly adapters: readonly string[];
  /** Adapters left out, each with why. */
  readonly skipped: readonly string[];
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL if it does not exit in time) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now, on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The adapters in `loraDir` that fit the model, and those that do not (with why). */
async function adaptersFor(
  loraDir: string | undefined,
  architecture: string,
): Promise<{ adapters: string[]; skipped: string[] }> {
  if (loraDir === undefined) return { adapters: [], skipped: [] };
  const names = (await readdir(loraDir).catch(() => [])).filter((n) => n.endsWith('.gguf')).sort();
  const adapters: string[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const path = join(loraDir, name);
    if (path.includes(',')) {
      skipped.push(
        `${path}: llama-server takes its adapters as one comma-separated list; rename it without a comma`,
      );
      continue;
    }
    try {
      await validateAdapterFile(path, architecture);
      adapters.push(path);
    } catch (error) {
      skipped.push(`${path}: ${(error as Error).message}`);
    }
  }
  return { adapters, skipped };
}

/**
 * Starts the server and resolves once `/health` answers 200; rejects with the server's last
 * log lines if it exits or is not ready within `readyTimeoutMs`.
 */
export async function startLlamaServer(
  options: LlamaServerOptions,
  readyTimeoutMs = 60_000,
): Promise<RunningLlamaServer> {
  const info = await validateModelFile(options.model);
  const { adapters, skipped } = await adaptersFor(
    options.loraDir,
    info.metadata.general.architecture,
  );
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort(host));
  const parallel = options.parallel ?? 1;
  const args = [
    '--model',
    options.model,
    '--host',
    host,
    '--port',
    String(port),
    '--parallel',
    String(parallel),
    '--ctx-size',
    String(parallel * (options.slotContext ?? 4096)),
    ...(options.threads ? ['--threads', String(options.threads)] : []),
    ...(adapters.length > 0 ? ['--lora', adapters.join(','), '--lora-init-without-apply'] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 15) tail.shift();
      options.onLine?.(line);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://${host}:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? STOP_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(kill);
    }
  };
  const deadline = Date.now() + readyTimeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline && exitCode === undefined) {
    const ready = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, adapters, skipped, process: child, stop };
    await sleep(100);
  }
  await stop();
  throw new OperatorError(
    'command-failed',
    `llama-server did not start (${exitCode === undefined ? `not ready in ${readyTimeoutMs} ms` : `exit ${exitCode}`}):\n${tail.join('\n')}`,
  );
}
