import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERSONA_SIGNATURES } from '../../src/forge/index.ts';
import { REPO_ROOT, runBatos } from '../support/run-batos.ts';
import { tempDir } from '../support/temp.ts';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script of the project as `npm run` does, with `args` after `--`. */
function runScript(script: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each([
  ['scripts/forge.ts', /npm run forge -- \[--out DIR\] \[--json\]/],
  ['bench/index.ts', /npm run bench -- \[image\|sends\|[a-z|-]+ …\]/],
  ['scripts/models-pull.ts', /npm run models:pull -- \[URI\]/],
])('%s', (script, usage) => {
  it('answers --help with its usage and exits 0', async () => {
    const run = await runScript(script, ['--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(new RegExp(`^usage: ${usage.source}$`));
    expect(run.stdout.split('\n').length).toBeGreaterThan(3);
    expect(run.stderr).toBe('');
  });

  it.each([['--nosuch'], ['nosuch', 'other', 'more', 'words', 'than', 'any', 'script', 'takes']])(
    'refuses %s with the usage line and exits 2, without a stack trace',
    async (...args) => {
      const run = await runScript(script, args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^(Unknown option '--nosuch'\.|Unknown name|Unexpected argument)/);
      expect(run.stderr).toMatch(new RegExp(`\nusage: ${usage.source}\n`));
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe('npm run forge', () => {
  it('writes a layout the bot uses as is, and prints the line that starts it', async () => {
    const dir = tempDir('batos-forge-cli-');
    const run = await runScript('scripts/forge.ts', ['--out', join(dir, 'forged')]);
    expect(run.code, run.stderr).toBe(0);
    const line = /^ {2}(BATOS_MODEL=(\S+) BATOS_LORA_DIR=(\S+) npm start)$/m.exec(run.stdout);
    expect(line, run.stdout).not.toBeNull();
    const [, , model, loraDir] = line!;
    expect(model).toBe(join(dir, 'forged', 'tiny-model.gguf'));
    expect(loraDir).toBe(join(dir, 'forged', 'lora'));

    const talk = await runBatos('Robin, hello\n', {
      BATOS_IMAGE: join(dir, 'image.db'),
      BATOS_MODEL: model!,
      BATOS_LORA_DIR: loraDir!,
    });
    expect(talk.code, talk.stderr).toBe(0);
    expect(talk.stdout).toContain(`ROBIN: (forged test model)\n${PERSONA_SIGNATURES.ROBIN}`);
  });

  it('prints the paths as JSON when asked', async () => {
    const out = join(tempDir('batos-forge-cli-'), 'forged');
    const run = await runScript('scripts/forge.ts', ['--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      model: join(out, 'tiny-model.gguf'),
      loraDir: join(out, 'lora'),
      adapters: { ROBIN: join(out, 'lora', 'robin.gguf') },
    });
  });
});
