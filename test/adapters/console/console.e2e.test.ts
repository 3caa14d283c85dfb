import { spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISPLAY_YOURSELF_SOURCE } from '../../../tools/forge/index.ts';
import { forged } from '../../support/forged.ts';
import { readUpgradeRequestFile, upgradeLayout } from '../../../src/core/upgrade/index.ts';
import { writeDryRunResult } from '../../support/upgrade-results.ts';
import { REPO_ROOT, runBatos } from '../../support/run-batos.ts';
import { tempDir } from '../../support/temp.ts';

describe('npm start with piped input (console front end)', () => {
  it('answers each line in order, persists across restarts, and exits 1 at end of input when a line failed', async () => {
    const dir = tempDir();
    const env = { BATOS_IMAGE: join(dir, 'image.db'), BATOS_MODEL: join(dir, 'no-model.gguf') };

    const first = await runBatos(
      [
        'genesis slotNames',
        'genesis setSlot color "blue"',
        'genesis color',
        'genesis clone',
        'traits slotNames',
        '@nosuchthing color',
        'genesis setSlot x [1, 2',
        '',
      ].join('\n'),
      env,
    );
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(
      /^2 of 7 lines failed \(their replies start with "error:" or "refused:"\)\.$/m,
    );
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toBe('["parent*"]');
    expect(lines[1]).toMatch(/^blue {2}\(tx \d+\)$/);
    expect(lines[2]).toBe('blue');
    expect(lines[3]).toMatch(/^#\d+ {2}\(tx \d+\)$/);
    expect(lines[4]).toContain('"clone"');
    expect(lines[4]).toContain('"doesNotUnderstand_"');
    expect(lines[5]).toMatch(/^error: There is no object named "nosuchthing"/);
    expect(lines[6]).toMatch(/^error: The argument starting \[1, 2 is not closed/);
    expect(first.stderr).toMatch(/image closed/);
    expect(existsSync(env.BATOS_IMAGE)).toBe(true);

    const second = await runBatos(
      'genesis color\nhistory genesis\nundo\nundo\ngenesis color\nundo 1\n',
      env,
    );
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/^2 of 6 lines failed/m);
    const out = second.stdout;
    expect(out.split('\n')[0]).toBe('blue');
    expect(out).toMatch(/tx \d+ · .* · console:.* · "genesis setSlot color \\"blue\\""/);
    expect(out).toMatch(/#3 genesis color: \(absent\) → "blue"/);
    expect(out.match(/Undid transaction \d+\./g)).toHaveLength(2);
    // A lone property-shaped selector reads a slot: once undone, it says the slot is missing.
    expect(out).toMatch(/error: genesis has no slot `color`, and nothing was written\./);
    expect(out).toMatch(/Transaction 1 was made by BAT OS itself/);

    const third = await runBatos('genesis color\n', env);
    expect(third.stdout.trim()).toMatch(/^error: genesis has no slot `color`/);
    expect(third.code).toBe(1);
  });

  it('exits 0 when every line was answered, blank ones skipped', async () => {
    const dir = tempDir();
    const run = await runBatos('genesis slotNames\n\ngenesis describe\n', {
      BATOS_IMAGE: join(dir, 'image.db'),
      BATOS_MODEL: join(dir, 'no-model.gguf'),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('["parent*"]');
    expect(run.stderr).not.toMatch(/lines? failed/);
  });

  it('without a model, an unknown selector says clearly how to get one and changes nothing', async () => {
    const dir = tempDir();
    const env = { BATOS_IMAGE: join(dir, 'image.db'), BATOS_MODEL: join(dir, 'missing.gguf') };
    const run = await runBatos('display_yourself\nhistory\n', env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^1 of 2 lines failed/m);
    expect(run.stdout).toMatch(
      /#3 genesis does not understand display_yourself, and no model is loaded to write it\. To try it without a download, run "npm run forge" .* For real answers, run "npm run models:pull"/,
    );
    expect(run.stdout).not.toMatch(/display_yourself.*→/);
  });
});

describe('npm start with the forged model', () => {
  it('writes display_yourself on first use, and answers from the image after a restart without a model', async () => {
    const files = await forged();
    const dir = tempDir();
    const image = join(dir, 'image.db');
    const first = await runBatos('display_yourself\n', {
      BATOS_IMAGE: image,
      BATOS_MODEL: files.model,
      BATOS_CONTEXT_SIZE: '4096',
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^ {2}#3 genesis does not understand display_yourself — writing it…$/m,
    );
    expect(first.stdout).toMatch(
      /^Object #3 "genesis": slots parent\*, display_yourself {2}\(tx \d+\)$/m,
    );

    // The model is gone: only the installed method can answer now.
    const second = await runBatos('display_yourself\ngenesis methodSource display_yourself\n', {
      BATOS_IMAGE: image,
      BATOS_MODEL: join(dir, 'gone.gguf'),
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toMatch(/writing it/);
    expect(second.stdout.split('\n')[0]).toBe(
      'Object #3 "genesis": slots parent*, display_yourself',
    );
    expect(second.stdout).toContain(DISPLAY_YOURSELF_SOURCE);
  });

  it('refuses a malformed model file with a clear warning and keeps serving', async () => {
    const files = await forged();
    const dir = tempDir();
    const run = await runBatos('genesis slotNames\ndisplay_yourself\n', {
      BATOS_IMAGE: join(dir, 'image.db'),
      BATOS_MODEL: files.malformed.modelMissingFeedForward,
    });
    expect(run.code, run.stderr).toBe(1); // display_yourself failed
    expect(run.stderr).toMatch(/no model: .*feed_forward_length/);
    expect(run.stdout.split('\n')[0]).toBe('["parent*"]');
    expect(run.stdout).toMatch(
      /does not understand display_yourself, and no model is loaded to write it/,
    );
  });
});

describe('stopping with a signal', () => {
  it('SIGTERM lets the send in flight finish and commit, closes the image, and exits 0', async () => {
    const dir = tempDir();
    const image = join(dir, 'image.db');
    const setup = await runBatos(
      `genesis defineMethod slow "function (self, n) { const end = Date.now() + 400; while (Date.now() < end) {} self.set('done', n); return n }"\n`,
      { BATOS_IMAGE: image, BATOS_MODEL: join(dir, 'none.gguf') },
    );
    expect(setup.code, setup.stderr).toBe(0);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BATOS_IMAGE: image,
        BATOS_MODEL: join(dir, 'none.gguf'),
        BATOS_THREADS: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => {
      const check = () => (stderr.includes('ready:') ? resolve() : setTimeout(check, 20));
      check();
    });
    child.stdin.write('genesis slow 7\n');
    await new Promise((r) => setTimeout(r, 100)); // the method is running now
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^7 {2}\(tx \d+\)$/m);
    expect(stderr).toMatch(/shutting down \(SIGTERM\)[\s\S]*image closed/);

    const after = await runBatos('genesis done\n', {
      BATOS_IMAGE: image,
      BATOS_MODEL: join(dir, 'none.gguf'),
    });
    expect(after.stdout.trim()).toBe('7');
  });
});

describe('upgrades from the console admin', () => {
  it('files a signed request, and reports the steward’s result where it was asked', async () => {
    const dir = tempDir();
    const key = 'k'.repeat(32);
    const upgradeDir = join(dir, 'upgrades');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BATOS_IMAGE: join(dir, 'image.db'),
        BATOS_MODEL: join(dir, 'none.gguf'),
        BATOS_UPGRADE_KEY: key,
        BATOS_UPGRADE_DIR: upgradeDir,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = <T>(found: () => T | undefined | null | false) =>
      new Promise<T>((resolve) => {
        const check = () => {
          const value = found();
          if (value) resolve(value);
          else setTimeout(check, 50);
        };
        check();
      });
    const until = (pattern: RegExp) => poll(() => pattern.exec(stdout));
    child.stdin.write('upgrade --dry-run\n');
    const [, id] = await until(
      /^Upgrade (u-[0-9a-f]+) dry run requested: git-pull, npm-ci, build, migrate\./m,
    );
    const layout = upgradeLayout(upgradeDir);
    const read = await readUpgradeRequestFile(join(layout.requests, `${id}.json`), key);
    expect(read.ok).toBe(true);
    if (!read.ok) return;

    // What the steward would leave behind for a dry run.
    await writeDryRunResult(layout.results, read.request, key);
    const [report] = await until(
      new RegExp(`^Upgrade ${id} dry run on .*Nothing was changed\\.$`, 'm'),
    );
    expect(report).toMatch(/git-pull, npm-ci, build, migrate/);

    // The announced result, copied back among the pending ones, is not announced again.
    const announced = join(layout.results, 'reported', `${id}.json`);
    await poll(() => existsSync(announced));
    copyFileSync(announced, join(layout.results, `${id}.json`));
    await poll(() => /already announced: a copy of reported/.test(stdout + stderr));
    expect(existsSync(join(layout.results, `${id}.json`))).toBe(false);
    expect(stdout.match(new RegExp(`^Upgrade ${id} dry run on `, 'gm'))).toHaveLength(1);
    child.stdin.end();
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
  }, 60_000);
});
