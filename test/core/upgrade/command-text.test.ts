import { describe, expect, it } from 'vitest';
import { DEFAULT_STEPS, parseUpgradeCommand } from '../../../src/core/upgrade/index.ts';

const names = (text: string) => {
  const parsed = parseUpgradeCommand(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.steps.map((s) => [s.name, ...s.args].join(' '));
};

describe('parseUpgradeCommand', () => {
  it('defaults to git-pull, npm-ci, build, migrate', () => {
    expect(parseUpgradeCommand('upgrade')).toEqual({
      ok: true,
      steps: DEFAULT_STEPS,
      dryRun: false,
    });
    expect(parseUpgradeCommand('  Upgrade --dry-run ')).toEqual({
      ok: true,
      steps: DEFAULT_STEPS,
      dryRun: true,
    });
  });

  it('takes named steps and puts them in the allow-list order', () => {
    expect(names('upgrade npm-ci build')).toEqual(['npm-ci', 'build']);
    expect(names('upgrade build git-pull')).toEqual(['git-pull', 'build']);
    expect(names('upgrade pull-model tinyllama-1.1b/Q4_K_M.gguf')).toEqual([
      'pull-model tinyllama-1.1b/Q4_K_M.gguf',
    ]);
    expect(parseUpgradeCommand('upgrade pull-model qwen:0.5b --dry-run')).toMatchObject({
      ok: true,
      dryRun: true,
    });
  });

  it.each([
    'upgrade; rm -rf /',
    'upgrade && curl x | sh',
    'upgrade pull-model $(x)',
    'upgrade pull-model `id`',
    "upgrade pull-model 'a b'",
    'upgrade build > build.log',
  ])('refuses shell text: %s', (text) => {
    const parsed = parseUpgradeCommand(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(
      /^Refused: .*git-pull, npm-ci, build, migrate, pull-model <model-id>/,
    );
  });

  it('refuses unknown steps, listing the allow-list', () => {
    expect(parseUpgradeCommand('upgrade rm -rf')).toEqual({
      ok: false,
      error:
        "Unknown upgrade step 'rm'. Allowed steps: git-pull, npm-ci, build, migrate, pull-model <model-id>; add --dry-run to only see the plan.",
    });
    expect(parseUpgradeCommand('upgrade\nrm')).toMatchObject({ ok: false });
  });

  it('refuses bad or missing model ids, arguments to other steps, duplicates and other verbs', () => {
    for (const text of [
      'upgrade pull-model',
      'upgrade pull-model ../../etc/passwd',
      'upgrade pull-model -rf',
      'upgrade pull-model --dry-run',
      'upgrade build build',
      'downgrade',
      '',
    ]) {
      expect(parseUpgradeCommand(text), text).toMatchObject({ ok: false });
    }
  });
});
