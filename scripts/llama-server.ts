/**
 * `npm run llama-server [-- options] [-- llama-server arguments]`: starts the built
 * llama-server (build it first: `npm run llama-server:build`) with the model and every
 * persona adapter in the LoRA folder, and runs until stopped (Ctrl-C). Then point BAT OS at
 * it: `BATOS_MIND_URL=http://host:port`.
 *
 * Options: --model FILE (default: BATOS_MODEL, resolved like BAT OS does, without a
 * download), --lora-dir DIR (BATOS_LORA_DIR, default `lora`), --host (127.0.0.1), --port
 * (8080), --parallel N (slots, 4), --slot-context N (tokens per slot, BATOS_CONTEXT_SIZE),
 * --threads N (BATOS_THREADS), --cuda (the CUDA build). Arguments after a lone `--` go to
 * llama-server as they are (e.g. `-ngl 99`). Settings come from the environment and `.env`.
 */
import { existsSync } from 'node:fs';
import { mindConfig } from '../src/config/mind-config.ts';
import { readSettings } from '../src/config/read.ts';
import { OperatorError } from '../src/core/errors.ts';
import { resolveModelPath } from '../src/core/mind/index.ts';
import { parseCommandLine } from './cli.ts';
import { isBuilt, llamaServerBuild } from './llama-server-cache.ts';
import { startLlamaServer } from './llama-server-process.ts';

const { values, positionals } = parseCommandLine({
  usage: 'npm run llama-server -- [options] [-- llama-server arguments]',
  help: `Starts the built llama-server (npm run llama-server:build first) with the model and
every persona adapter in the LoRA folder, until Ctrl-C; then point BAT OS at it with
BATOS_MIND_URL. Settings come from the environment and .env, as for npm start.

      --model FILE        the model (default: BATOS_MODEL, resolved as BAT OS does, never
                          downloaded)
      --lora-dir DIR      the persona adapters (default: BATOS_LORA_DIR, lora/)
      --host HOST         where to listen (default 127.0.0.1)
      --port N            the port (default 8080)
      --parallel N        slots served side by side (default 4)
      --slot-context N    tokens per slot (default: BATOS_CONTEXT_SIZE)
      --threads N         CPU threads (default: BATOS_THREADS)
      --cuda              the CUDA build
  Arguments after a lone -- go to llama-server as they are (e.g. -- -ngl 99).`,
  options: {
    model: { type: 'string' },
    'lora-dir': { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    parallel: { type: 'string' },
    'slot-context': { type: 'string' },
    threads: { type: 'string' },
    cuda: { type: 'boolean' },
  },
  positionals: { max: Infinity },
});

// Same convention as the bot: a .env in the project folder; the environment wins.
if (existsSync('.env')) process.loadEnvFile('.env');

function whole(name: string, raw: string | undefined, fallback: number): number {
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a whole number; got "${raw}".\n`);
    process.exit(2);
  }
  return value;
}

try {
  const settings = readSettings(process.env);
  const mind = mindConfig(settings);
  const build = llamaServerBuild(values.cuda ? 'cuda' : 'cpu');
  if (!isBuilt(build))
    throw new OperatorError(
      'missing-program',
      `llama-server is not built yet (${build.binary}); run npm run llama-server:build${values.cuda ? ' -- --cuda' : ''} first.`,
    );
  const model =
    values.model ?? (await resolveModelPath(mind.model, mind.modelsDir, { download: false }));
  const server = await startLlamaServer({
    binary: build.binary,
    model,
    loraDir: values['lora-dir'] ?? settings.BATOS_LORA_DIR,
    host: values.host ?? '127.0.0.1',
    port: whole('port', values.port, 8080),
    parallel: whole('parallel', values.parallel, 4),
    slotContext: whole('slot-context', values['slot-context'], mind.contextSize),
    threads: whole('threads', values.threads, mind.threads),
    extraArgs: positionals,
    onLine: (line) => process.stderr.write(`${line}\n`),
  });
  for (const why of server.skipped) process.stderr.write(`adapter left out: ${why}\n`);
  process.stdout.write(
    `llama-server ready at ${server.url} with ${server.adapters.length} adapter(s); BATOS_MIND_URL=${server.url}\n`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void server.stop().then(() => process.exit(0)));
  server.process.once('exit', (code) => process.exit(code ?? 1));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
