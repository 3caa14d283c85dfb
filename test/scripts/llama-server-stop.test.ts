/**
 * Stopping a server that does not stop: llama-server has been seen to hang on SIGTERM while
 * it held connections, which left a bench waiting on it for good. `stop` kills it after its
 * grace. The server here is a stand-in program that answers `/health` and ignores SIGTERM,
 * as the hung one did; the model is the real forged one, which the start checks.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLlamaServer } from '../../scripts/llama-server-process.ts';
import { forged } from '../support/forged.ts';
import { tempDir } from '../support/temp.ts';

/** Serves `/health` on the port after `--port`, and takes no notice of SIGTERM. */
const DEAF_SERVER = `#!${process.execPath}
const http = require('node:http');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
process.on('SIGTERM', () => console.log('SIGTERM heard, and ignored'));
http.createServer((request, response) => response.end('{"status":"ok"}')).listen(port, '127.0.0.1');
`;

describe('stopping llama-server', () => {
  it('kills a server that does not exit on SIGTERM within its grace', async () => {
    const dir = tempDir('batos-deaf-server-');
    const binary = join(dir, 'deaf-server.cjs');
    writeFileSync(binary, DEAF_SERVER);
    chmodSync(binary, 0o700);
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
