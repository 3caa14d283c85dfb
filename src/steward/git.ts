/**
 * The few git operations the steward needs, all with fixed argv.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Git commands on one work tree. */
export interface WorkTree {
  /** The full revision checked out. */
  head(): Promise<string>;
  /** Tracked files with local changes (a rollback's `reset --hard` would destroy them). */
  localChanges(): Promise<string>;
  /** Puts the work tree back at `revision`. */
  resetHard(revision: string): Promise<void>;
}

/** Git on the work tree `dir`, with the given child environment. */
export function workTree(dir: string, env: Readonly<Record<string, string>>): WorkTree {
  const git = async (args: string[]): Promise<string> =>
    (await run('git', args, { cwd: dir, env })).stdout.trim();
  return {
    head: () => git(['rev-parse', 'HEAD']),
    localChanges: () => git(['status', '--porcelain', '--untracked-files=no']),
    resetHard: async (revision) => {
      await git(['reset', '--hard', revision]);
    },
  };
}
