/**
 * `npm start` with BATOS_MIND_URL: BAT OS loads no model and speaks through the shared test
 * llama-server; with a server that is down it starts anyway and says why personas are mute.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../scripts/llama-server-process.ts';
import { DISPLAY_YOURSELF_SOURCE, PERSONA_SIGNATURES } from '../tools/forge/index.ts';
import { loraFolder } from './support/personas.ts';
import { llamaServer, noLlamaServer } from './support/remote-mind.ts';
import { runBatos } from './support/run-batos.ts';
import { tempDir } from './support/temp.ts';

if (noLlamaServer) process.stderr.write(`main-remote.e2e.test.ts does not run: ${noLlamaServer}\n`);

describe.runIf(!noLlamaServer)('npm start with BATOS_MIND_URL', () => {
  it('speaks and writes methods through llama-server, and pLLM names it', async () => {
    const { url } = llamaServer();
    const run = await runBatos('Brick, how would you build it?\ndisplay_yourself\npLLM servers\n', {
      BATOS_IMAGE: join(tempDir(), 'image.db'),
      BATOS_MODEL: join(tempDir(), 'no-such-model.gguf'),
      BATOS_LORA_DIR: await loraFolder(),
      BATOS_MIND_URL: url,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(PERSONA_SIGNATURES.BRICK);
    expect(run.stdout).toMatch(/^Object #3 "genesis": slots parent\*, display_yourself/mu);
    expect(run.stdout).toContain(`["${url}"]`);
  });

  it('starts with a server that is down, says why personas cannot speak, and serves sends', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const run = await runBatos('Robin, hello?\ngenesis slotNames\n', {
      BATOS_IMAGE: join(tempDir(), 'image.db'),
      BATOS_MIND_URL: down,
    });
    expect(run.code, run.stderr).toBe(1); // ROBIN could not answer
    expect(run.stderr).toMatch(/^1 of 2 lines failed/m);
    expect(run.stderr).toContain(
      `no inference server: No inference server answered (${down}: ECONNREFUSED)`,
    );
    expect(run.stdout).toContain(
      'ROBIN cannot speak without a model. No inference server answered',
    );
    expect(run.stdout).toContain('parent*');
    expect(run.stdout).not.toContain(DISPLAY_YOURSELF_SOURCE);
  });
});
