import { readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgeLargeModel, PERSONA_SIGNATURES, SMALL_SHAPE } from '../../../tools/forge/index.ts';
import { forged } from '../../support/forged.ts';
import { tempDir } from '../../support/temp.ts';
import { HAS_SCRIPT, plain, startOnPty } from './pty.ts';

/** The dim style a draft is drawn in, before the final reply replaces it. */
const DRAFT = '\x1b[2m';

describe.runIf(HAS_SCRIPT)('the console on a terminal', () => {
  /** A model with random weights: it talks until the token limit, so there is time to cancel. */
  let endless: string;
  beforeAll(async () => {
    endless = (
      await forgeLargeModel({
        outPath: join(tempDir('batos-endless-'), 'random-small.gguf'),
        shape: SMALL_SHAPE,
      })
    ).path;
  });

  it('streams a persona reply as it is generated, then prints it whole', async () => {
    const files = await forged();
    const dir = tempDir();
    const terminal = startOnPty({
      BATOS_IMAGE: join(dir, 'image.db'),
      BATOS_MODEL: files.model,
      BATOS_LORA_DIR: files.loraDir,
    });
    let at = await terminal.until(/batos> $/);
    terminal.type('Robin, hello\r');
    at = await terminal.until(
      new RegExp(`ROBIN: \\(forged test model\\)\\n${PERSONA_SIGNATURES.ROBIN}  \\(tx \\d+\\)\\n`),
      at,
    );
    const shown = terminal.screen();
    expect(shown).toContain(`${DRAFT}Oh, what a lovely`);
    expect(shown.indexOf(`${DRAFT}Oh`)).toBeLessThan(shown.indexOf('ROBIN: '));
    await terminal.until(/batos> $/, at);
    terminal.type('\x03');
    expect(await terminal.exited).toBe(0);
    // Quitting at the prompt: the shutdown log starts its own line, not the prompt's.
    expect(plain(terminal.screen())).toMatch(/\n\S+ batos info shutting down \(console closed\)/);
    expect(plain(terminal.screen())).not.toMatch(/batos> \S+ batos info/);
    // The prompt history beside the image holds what was typed: the operator's account only.
    expect(readFileSync(join(dir, 'console_history'), 'utf8')).toBe('Robin, hello\n');
    expect(statSync(join(dir, 'console_history')).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('Ctrl+C cancels the generation in flight and keeps nothing; a second Ctrl+C quits', async () => {
    const dir = tempDir();
    const loraDir = join(dir, 'lora');
    await mkdir(loraDir);
    const terminal = startOnPty({
      BATOS_IMAGE: join(dir, 'image.db'),
      BATOS_MODEL: endless,
      BATOS_LORA_DIR: loraDir,
      BATOS_CONTEXT_SIZE: '4096',
      BATOS_MAX_REPLY_TOKENS: '3500',
    });
    let at = await terminal.until(/batos> $/);
    terminal.type('Robin, hello\r');
    at = await terminal.until(/Robin, hello\n+[a-z]{4}/, at); // the reply is streaming
    terminal.type('\x03');
    at = await terminal.until(
      /ROBIN could not answer, and nothing was changed: A reply was cancelled\.\n/,
      at,
    );
    at = await terminal.until(/batos> $/, at);
    terminal.type('history\r');
    at = await terminal.until(/batos> $/, at);
    expect(plain(terminal.screen())).not.toMatch(/· "Robin, hello"/);

    terminal.type('Robin, again\r');
    at = await terminal.until(/Robin, again\n+[a-z]{4}/, at);
    terminal.type('\x03');
    await terminal.until(/cancelling… \(Ctrl\+C again quits\)/, at);
    terminal.type('\x03');
    expect(await terminal.exited).toBe(0);
    expect(plain(terminal.screen())).toMatch(/\n\S+ batos info shutting down/);
  }, 180_000);
});
