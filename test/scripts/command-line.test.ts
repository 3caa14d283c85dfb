import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERSONA_SIGNATURES } from '../../tools/forge/index.ts';
import { finished, REPO_ROOT, runBatos } from '../support/run-batos.ts';
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
  ['scripts/forge.ts', /npm run forge -- \[--out DIR\] \[--script FILE\] \[--json\]/],
  ['bench/index.ts', /npm run bench -- \[image\|[a-z|-]+\|scale …\]/],
  ['scripts/models-pull.ts', /npm run models:pull -- \[URI\]/],
  ['scripts/eval.ts', /npm run eval -- \[--model FILE\] \[--tasks N\] \[--json\]/],
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

  it('forges a model scripted by --script that the bot writes methods with', async () => {
    const dir = tempDir('batos-forge-cli-');
    const script = join(dir, 'script.json');
    writeFileSync(
      script,
      JSON.stringify({
        methods: {
          double: [
            "function (self, n) { throw new Error('not yet ' + n) }",
            'function (self, n) { return n * 2 }',
          ],
        },
      }),
    );
    const out = join(dir, 'forged');
    const run = await runScript('scripts/forge.ts', ['--script', script, '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { model } = JSON.parse(run.stdout) as { model: string };
    const talk = await runBatos('genesis double 21\n', {
      BATOS_IMAGE: join(dir, 'image.db'),
      BATOS_MODEL: model,
    });
    expect(talk.code, talk.stderr).toBe(0);
    expect(talk.stdout).toContain(
      '42\n(the model wrote double in 2 attempts; only the last, which passed, was kept)',
    );
  });

  it.each([
    ['{"methods": {"double": []}}', '"double" needs a list of 1 to 10 sources'],
    ['{"methods": ', 'is not JSON'],
  ])('refuses the script %s, saying why, and forges nothing', async (text, why) => {
    const dir = tempDir('batos-forge-cli-');
    writeFileSync(join(dir, 'script.json'), text);
    const out = join(dir, 'forged');
    const run = await runScript('scripts/forge.ts', [
      '--script',
      join(dir, 'script.json'),
      '--out',
      out,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(why);
    expect(run.stderr).toMatch(/\nNothing was forged\.\n$/u);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
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

/**
 * Every script in package.json, with the first line its `--help` prints: its own usage, or
 * the help of the tool it hands its arguments to.
 */
const HELP_FIRST_LINES: Record<string, RegExp> = {
  start: /^Usage: npm start /,
  'check:config': /^Usage: npm start /,
  build: /^usage: npm run build /,
  prepare: /^usage: npm run build /,
  test: /^usage: npm test /,
  'test:unit': /^vitest\//,
  typecheck: /^tsc: The TypeScript Compiler/,
  lint: /^usage: npm run format \| npm run lint/,
  format: /^usage: npm run format \| npm run lint/,
  bench: /^usage: npm run bench /,
  forge: /^usage: npm run forge /,
  eval: /^usage: npm run eval /,
  'models:pull': /^usage: npm run models:pull /,
  'llama-server:build': /^usage: npm run llama-server:build /,
  'llama-server': /^usage: npm run llama-server /,
  'settings:docs': /^usage: npm run settings:docs$/,
  'docs:screenshots': /^vitest\//,
  serve: /^usage: npm run serve /,
  'serve:stop': /^usage: npm run serve:stop$/,
  'serve:logs': /^usage: npm run serve:logs /,
  'serve:status': /^usage: npm run serve:status /,
};

/** Every file under the repository (but node_modules and .git): its size and mtime. */
function repositoryFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path, { throwIfNoEntry: false });
        files.set(relative(REPO_ROOT, path), `${stat?.size} ${stat?.mtimeMs}`);
      }
    }
  };
  walk(REPO_ROOT);
  return files;
}

describe('every script answers --help: prints help, exits 0, changes nothing', () => {
  const scripts = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;

  it('knows every script in package.json', () => {
    expect(Object.keys(HELP_FIRST_LINES).sort()).toEqual(Object.keys(scripts).sort());
  });

  it.each([
    ...Object.keys(HELP_FIRST_LINES).map((name) => ({
      name: `npm run ${name} -- --help`,
      command: ['npm', 'run', '--silent', name, '--', '--help'],
      first: HELP_FIRST_LINES[name]!,
    })),
    {
      // docs/steward.md runs it by hand; it once made a SQLite file named --help.
      name: 'npx tsx scripts/migrate.ts --help',
      command: ['npx', '--no', 'tsx', 'scripts/migrate.ts', '--help'],
      first: /^usage: npx tsx scripts\/migrate\.ts /,
    },
  ])(
    '$name',
    async ({ command, first }) => {
      const pm2Home = tempDir();
      const cache = tempDir();
      const before = repositoryFiles();
      const [file, ...args] = command;
      const child = spawn(file!, args, {
        cwd: REPO_ROOT,
        // Where pm2 and the llama-server build would write, were they to run.
        env: { ...process.env, PM2_HOME: pm2Home, XDG_CACHE_HOME: cache },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run = await finished(child, command.join(' '), 120_000);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout.split('\n')[0]).toMatch(first);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(repositoryFiles()).toEqual(before);
      expect(readdirSync(pm2Home)).toEqual([]);
      expect(readdirSync(cache)).toEqual([]);
    },
    150_000,
  );
});
