import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-batos.ts';

const pull = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/models-pull.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });

describe('npm run models:pull', () => {
  it('explains itself with --help and refuses unknown arguments with a usage line', () => {
    const help = pull('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run models:pull/);
    const wrong = pull('--frobnicate');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/^Unknown option '--frobnicate'\.\nusage: npm run models:pull/);
  });
});
