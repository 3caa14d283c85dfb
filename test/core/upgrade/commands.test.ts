import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AppFacts,
  MIGRATE_SCRIPT,
  resolveConfigCheck,
  resolveStepCommand,
} from '../../../src/core/upgrade/index.ts';

const app: AppFacts = {
  dir: '/srv/batos',
  imagePath: '/srv/batos/data/live_image.db',
  scripts: {},
  hasMigrateScript: false,
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('resolveStepCommand', () => {
  it('maps every allowed step to one fixed argv in the app folder', () => {
    expect(resolveStepCommand({ name: 'git-pull', args: [] }, app)).toMatchObject({
      file: 'git',
      args: ['fetch', '--quiet'],
      cwd: '/srv/batos',
    });
    expect(resolveStepCommand({ name: 'npm-ci', args: [] }, app)).toMatchObject({
      file: npm,
      args: ['ci', '--no-audit', '--no-fund'],
    });
    expect(resolveStepCommand({ name: 'pull-model', args: ['tiny'] }, app)).toMatchObject({
      file: npm,
      args: ['run', 'models:pull', '--', 'tiny'],
    });
    expect(
      resolveStepCommand({ name: 'migrate', args: [] }, { ...app, hasMigrateScript: true }),
    ).toMatchObject({
      args: ['--no', 'tsx', MIGRATE_SCRIPT, app.imagePath],
    });
    expect(
      resolveStepCommand({ name: 'build', args: [] }, { ...app, scripts: { build: 'tsc' } }),
    ).toMatchObject({
      file: npm,
      args: ['run', 'build'],
    });
  });

  it('skips build and migrate where the application has none', () => {
    expect(resolveStepCommand({ name: 'build', args: [] }, app)).toEqual({
      skip: 'no build script',
    });
    expect(resolveStepCommand({ name: 'migrate', args: [] }, app)).toEqual({
      skip: `no ${path.join('scripts', 'migrate.ts')}`,
    });
  });

  it('checks the configuration with the check:config script, when the application has one', () => {
    expect(resolveConfigCheck(app)).toEqual({ skip: 'no check:config script' });
    expect(
      resolveConfigCheck({ ...app, scripts: { 'check:config': 'tsx src/main.ts --check-config' } }),
    ).toMatchObject({ file: npm, args: ['run', '--silent', 'check:config'], cwd: '/srv/batos' });
  });

  it('refuses anything off the list, even if a caller skipped validation', () => {
    expect(() => resolveStepCommand({ name: 'pull-model', args: ['$(rm -rf /)'] }, app)).toThrow(
      /refusing/,
    );
    expect(() => resolveStepCommand({ name: 'build', args: ['--', 'x'] }, app)).toThrow(/refusing/);
    expect(() => resolveStepCommand({ name: 'sh' as 'build', args: [] }, app)).toThrow(/refusing/);
  });
});
