/**
 * Starting and stopping llama-server, with a stand-in program in its place that answers
 * `/health`, prints its arguments and ignores SIGTERM (as a hung llama-server did, which left
 * a bench waiting on it for good); the model and adapters are the real forged ones, which
 * the start checks. What the real server does with them, the remote mind's tests show.
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLlamaServer } from '../../scripts/llama-server-process.ts';
import { forged } from '../support/forged.ts';
import { tempDir } from '../support/temp.ts';

/** Prints its arguments, serves `/health` on the port after `--port`, and takes no notice of SIGTERM. */
const DEAF_SERVER = `#!${process.execPath}
const http = require('node:http');
console.log(JSON.stringify(process.argv.slice(2)));
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
process.on('SIGTERM', () => console.log('SIGTERM heard, and ignored'));
http.createServer((request, response) => response.end('{"status":"ok"}')).listen(port, '127.0.0.1');
`;

/** The stand-in server, written into a fresh temporary folder. */
function deafServer(): { dir: string; binary: string } {
  const dir = tempDir('batos-deaf-server-');
  const binary = join(dir, 'deaf-server.cjs');
  writeFileSync(binary, DEAF_SERVER);
  chmodSync(binary, 0o700);
  return { dir, binary };
}

describe('llama-server, started and stopped', () => {
  it('gives the adapters as one comma-separated --lora list, leaving out one whose name has a comma', async () => {
    const { dir, binary } = deafServer();
    const files = await forged();
    const lora = join(dir, 'lora');
    mkdirSync(lora);
    copyFileSync(files.adapters.BRICK, join(lora, 'brick.gguf'));
    copyFileSync(files.adapters.ROBIN, join(lora, 'robin.gguf'));
    copyFileSync(files.adapters.BABS, join(lora, 'ba,bs.gguf'));
    const lines: string[] = [];
    const server = await startLlamaServer({
      binary,
      model: files.model,
      loraDir: lora,
      stopGraceMs: 300,
      onLine: (line) => lines.push(line),
    });
    await server.stop();
    const args = JSON.parse(lines[0]!) as string[];
    const listed = [join(lora, 'brick.gguf'), join(lora, 'robin.gguf')];
    expect(args[args.indexOf('--lora') + 1]).toBe(listed.join(','));
    expect(args.filter((arg) => arg === '--lora')).toHaveLength(1);
    expect(args).toContain('--lora-init-without-apply');
    expect(server.adapters).toEqual(listed);
    expect(server.skipped).toEqual([
      `${join(lora, 'ba,bs.gguf')}: llama-server takes its adapters as one comma-separated list; rename it without a comma`,
    ]);
  });

  it('kills a server that does not exit on SIGTERM within its grace', async () => {
    const { binary } = deafServer();
    const lines: string[] = [];
    const server = await startLlamaServer({
      binary,
      model: (await forged()).model,
      stopGraceMs: 300,
      onLine: (line) => lines.push(line),
    });
    await server.stop();
    expect(server.process.signalCode).toBe('SIGKILL');
    // It was asked first.
    expect(lines).toContain('SIGTERM heard, and ignored');
  });
});
