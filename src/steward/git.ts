/**
 * The few git operations the steward needs, all with fixed argv.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Git commands on one work tree. */
export interface WorkTree {
  /** The full revision checked out. */
  head(): Promise<string>;
  /** The full revision of the current branch's upstream (what a pull would bring). */
  upstream(): Promise<string>;
  /** Whether `revision` is HEAD or a descendant of it (a fast-forward). */
  fastForwardsTo(revision: string): Promise<boolean>;
  /** Whether anything under `folder` differs between revisions `a` and `b`. */
  changedBetween(a: string, b: string, folder: string): Promise<boolean>;
  /** Tracked files with local changes (a rollback's `reset --hard` would destroy them). */
  localChanges(): Promise<string>;
  /** Moves the current branch forward to `revision` (files change, the objects are local). */
  fastForward(revision: string): Promise<void>;
  /** Puts the work tree back at `revision`. */
  resetHard(revision: string): Promise<void>;
  /** Checks `revision` out into a second work tree at `dir`, replacing one left there. */
  addWorkTree(dir: string, revision: string): Promise<void>;
  /** Removes the second work tree at `dir`, if there is one. */
  removeWorkTree(dir: string): Promise<void>;
}

/** Git on the work tree `dir`, with the given child environment. */
export function workTree(dir: string, env: Readonly<Record<string, string>>): WorkTree {
  const git = async (args: string[]): Promise<string> =>
    (await run('git', args, { cwd: dir, env })).stdout.trim();
  const removeWorkTree = async (other: string): Promise<void> => {
    await git(['worktree', 'remove', '--force', other]).catch(() => undefined);
    await rm(other, { recursive: true, force: true });
    await git(['worktree', 'prune']);
  };
  return {
    head: () => git(['rev-parse', 'HEAD']),
    upstream: () => git(['rev-parse', '@{upstream}']),
    fastForwardsTo: (revision) =>
      git(['merge-base', '--is-ancestor', 'HEAD', revision]).then(
        () => true,
        () => false,
      ),
    changedBetween: (a, b, folder) =>
      git(['diff', '--quiet', a, b, '--', folder]).then(
        () => false,
        () => true,
      ),
    localChanges: () => git(['status', '--porcelain', '--untracked-files=no']),
    fastForward: async (revision) => {
      await git(['merge', '--ff-only', '--quiet', revision]);
    },
    resetHard: async (revision) => {
      await git(['reset', '--hard', '--quiet', revision]);
    },
    addWorkTree: async (other, revision) => {
      await removeWorkTree(other);
      await git(['worktree', 'add', '--detach', '--force', other, revision]);
    },
    removeWorkTree,
  };
}
