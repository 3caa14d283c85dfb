/**
 * `npm start -- --check` predicts `npm start`: for every bad setting or file the issue met,
 * both exit with the same code and name the same variable, and the start writes nothing.
 * Also: `.env` and the image must not be readable by others (BATOS_FILE_CHECK), a refusal
 * follows BATOS_LOG_FORMAT, and `--version` needs no git checkout.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../src/start-refusal.ts';
import { forged } from './support/forged.ts';
import { finished, REPO_ROOT, runBatos, type RunResult } from './support/run-batos.ts';
import { tempDir } from './support/temp.ts';

const TSX = import.meta.resolve('tsx');
const MAIN = join(REPO_ROOT, 'src', 'main.ts');

/**
 * Runs BAT OS in `dir` as its application folder (where `.env` is read), with `input` piped
 * in: `node --import tsx …/src/main.ts args`.
 */
function runIn(
  dir: string,
  env: Record<string, string>,
  args: readonly string[] = [],
  input = '',
): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: dir,
    env: { ...process.env, BATOS_THREADS: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = finished(child, 'BAT OS');
  child.stdin.end(input);
  return result;
}

/** A file with `text`, made with `mode`. */
function fileWith(path: string, text: string, mode: number): string {
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const listening: Server[] = [];
afterEach(async () => {
  await Promise.all(listening.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** A loopback port something already listens on. */
async function takenPort(): Promise<number> {
  const server = createServer();
  listening.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** The lines of `text` that name `variable`. */
const naming = (text: string, variable: string): string[] =>
  text.split('\n').filter((line) => line.includes(variable));

describe('--check predicts a start', () => {
  it.each([
    {
      bad: 'a setting with a bad value',
      variable: 'BATOS_SENDS_PER_MINUTE',
      env: (dir: string) => ({ BATOS_IMAGE: join(dir, 'x.db'), BATOS_SENDS_PER_MINUTE: 'lots' }),
      says: /BATOS_SENDS_PER_MINUTE="lots" must be a whole number/,
    },
    {
      bad: 'an image that is a text file',
      variable: 'BATOS_IMAGE',
      env: (dir: string) => ({
        BATOS_IMAGE: fileWith(join(dir, 'notes.txt'), 'my notes\n', 0o600),
      }),
      says: /notes\.txt is not a SQLite database \(its header is wrong\)/,
    },
    {
      bad: 'an image in a folder that does not exist',
      variable: 'BATOS_IMAGE',
      env: (dir: string) => ({ BATOS_IMAGE: join(dir, 'none', 'x.db') }),
      says: /the folder .*none does not exist; create it \(mkdir -p/,
    },
    {
      bad: 'an image path that is a folder',
      variable: 'BATOS_IMAGE',
      env: (dir: string) => ({ BATOS_IMAGE: dir }),
      says: /that is a folder; set BATOS_IMAGE to a file path/,
    },
    {
      bad: 'an image others may read',
      variable: 'BATOS_IMAGE',
      env: (dir: string) => ({
        BATOS_IMAGE: fileWith(join(dir, 'shared.db'), '', 0o644),
      }),
      says: /shared\.db holds everyone's objects .*\(mode 644\); make it yours alone: chmod 600 \/.*shared\.db/,
    },
    {
      bad: 'a health port already taken',
      variable: 'BATOS_HEALTH_PORT',
      env: async (dir: string) => ({
        BATOS_IMAGE: join(dir, 'x.db'),
        BATOS_HEALTH_PORT: String(await takenPort()),
      }),
      says: /BATOS_HEALTH_PORT=\d+: cannot listen on 127\.0\.0\.1 .*EADDRINUSE/,
    },
    {
      bad: 'an image browser port already taken',
      variable: 'BATOS_BROWSER_PORT',
      env: async (dir: string) => ({
        BATOS_IMAGE: join(dir, 'x.db'),
        BATOS_BROWSER_PORT: String(await takenPort()),
      }),
      says: /BATOS_BROWSER_PORT=\d+: cannot listen on 127\.0\.0\.1 .*EADDRINUSE/,
    },
    {
      bad: 'an embedding model that does not exist',
      variable: 'BATOS_EMBEDDING_MODEL',
      env: (dir: string) => ({
        BATOS_IMAGE: join(dir, 'x.db'),
        BATOS_EMBEDDING_MODEL: join(dir, 'embedder.gguf'),
      }),
      says: /BATOS_EMBEDDING_MODEL=".*embedder\.gguf": .*unset it to recall by full-text search alone/,
    },
    {
      bad: 'an embedding model that is not a GGUF file',
      variable: 'BATOS_EMBEDDING_MODEL',
      env: (dir: string) => ({
        BATOS_IMAGE: join(dir, 'x.db'),
        BATOS_EMBEDDING_MODEL: fileWith(join(dir, 'embedder.gguf'), 'not a model\n', 0o600),
      }),
      says: /BATOS_EMBEDDING_MODEL=.*embedder\.gguf is not a readable GGUF file.*unset it/,
    },
  ])('$bad: both exit 78 naming $variable, and the start writes nothing', async (c) => {
    const dir = tempDir();
    const env = { BATOS_MODEL: join(dir, 'none.gguf'), ...(await c.env(dir)) };
    const before = readdirSync(dir).sort();
    const check = await runBatos('', env, 60_000, ['--check']);
    const start = await runBatos('genesis slotNames\n', env);
    for (const [run, out] of [
      [check, check.stdout + check.stderr],
      [start, start.stderr],
    ] as const) {
      expect(run.code, out).toBe(EXIT.config);
      expect(
        naming(out, c.variable).filter((line) => c.says.test(line)),
        out,
      ).toHaveLength(1);
    }
    expect(start.stdout).toBe('');
    expect(start.stderr).not.toMatch(/ready:|\n\s+at /);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('a missing model: --check warns and passes, and a start serves without one', async () => {
    const dir = tempDir();
    const env = { BATOS_IMAGE: join(dir, 'x.db'), BATOS_MODEL: join(dir, 'none.gguf') };
    const check = await runBatos('', env, 60_000, ['--check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^warning: BATOS_MODEL=.*none\.gguf.*npm run models:pull/m);
    expect(check.stdout).toMatch(/^All checks passed \(1 warning\(s\): see above\)/m);
    const start = await runBatos('genesis slotNames\n', env);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/parent\*/);
  });

  it('an embedding model: --check names it, and a start loads it and keeps a memory', async () => {
    const dir = tempDir();
    const env = {
      BATOS_IMAGE: join(dir, 'x.db'),
      BATOS_MODEL: join(dir, 'none.gguf'),
      BATOS_EMBEDDING_MODEL: (await forged()).embedder,
    };
    const check = await runBatos('', env, 60_000, ['--check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^ok: embedding model: .*tiny-embedder\.gguf$/m);
    const start = await runBatos('remember that I prefer tea\n', env);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/I'll remember that: “I prefer tea” \(memory 1\)/);
  });

  it('a LoRA folder that does not exist is a warning in both, not silence', async () => {
    const dir = tempDir();
    const env = {
      BATOS_IMAGE: join(dir, 'x.db'),
      BATOS_MODEL: join(dir, 'none.gguf'),
      BATOS_LORA_DIR: join(dir, 'nonexistent'),
    };
    const check = await runBatos('', env, 60_000, ['--check']);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/^warning: BATOS_LORA_DIR=".*nonexistent": no such folder/m);
    const start = await runBatos('', env);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toMatch(/warn BATOS_LORA_DIR=".*nonexistent": no such folder/);
  });

  it('a refusal is JSON when the logs are', async () => {
    const dir = tempDir();
    const run = await runBatos('', {
      BATOS_IMAGE: join(dir, 'x.db'),
      BATOS_LOG_FORMAT: 'json',
      BATOS_SENDS_PER_MINUTE: 'lots',
    });
    expect(run.code).toBe(EXIT.config);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/BATOS_SENDS_PER_MINUTE="lots" must be a whole number/),
    });
  });
});

describe('BATOS_FILE_CHECK: .env and the image are their owner’s alone', () => {
  it('.env others may read: start and --check refuse, naming it and the chmod', async () => {
    const dir = tempDir();
    const envFile = fileWith(join(dir, '.env'), `BATOS_IMAGE=${join(dir, 'x.db')}\n`, 0o644);
    const fix = new RegExp(
      `^.*${envFile}.*\\(mode 644\\); make it yours alone: chmod 600 ${envFile}`,
      'm',
    );
    for (const args of [['--check'], []]) {
      const run = await runIn(dir, {}, args, 'genesis slotNames\n');
      expect(run.code, run.stdout + run.stderr).toBe(EXIT.config);
      expect(run.stdout + run.stderr).toMatch(fix);
      expect(run.stdout + run.stderr).toMatch(/BATOS_FILE_CHECK=warn/);
    }
    expect(readdirSync(dir)).toEqual(['.env']);
    expect(statSync(envFile).mode & 0o777).toBe(0o644);
  });

  it('with BATOS_FILE_CHECK=warn a start warns and goes on', async () => {
    const dir = tempDir();
    fileWith(join(dir, '.env'), `BATOS_IMAGE=${join(dir, 'x.db')}\nBATOS_FILE_CHECK=warn\n`, 0o640);
    const run = await runIn(dir, {}, [], 'genesis slotNames\n');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warn .*\.env holds the settings' secrets.*\(mode 640\).*chmod 600/);
    expect(run.stdout).toMatch(/parent\*/);
  });

  it('a private .env passes, and the image BAT OS makes is private too', async () => {
    const dir = tempDir();
    fileWith(join(dir, '.env'), `BATOS_IMAGE=${join(dir, 'data', 'x.db')}\n`, 0o600);
    mkdirSync(join(dir, 'data'));
    const first = await runIn(dir, {}, [], 'genesis setSlot color "blue"\n');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/other users may read/);
    expect(statSync(join(dir, 'data', 'x.db')).mode & 0o777).toBe(0o600);
    // So the next start passes the check it made.
    const second = await runIn(dir, {}, [], 'genesis color\n');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/blue/);
  });
});

describe('--version', () => {
  it('outside a git checkout reads the version from package.json', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.8.7' }));
    const run = await runIn(dir, {}, ['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('BAT OS 9.8.7 (unknown)\n');
  });
});
