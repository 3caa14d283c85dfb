/**
 * Parsing the `upgrade` chat command. Chat text only ever selects steps from the allow-list;
 * anything that looks like shell syntax is refused outright.
 */
import {
  DEFAULT_STEPS,
  type UpgradeStep,
  checkStep,
  describeAllowList,
  isStepName,
  orderSteps,
} from './steps.ts';

/** A parsed `upgrade` command, or why it was refused. */
export type ParsedUpgradeCommand =
  | { readonly ok: true; readonly steps: UpgradeStep[]; readonly dryRun: boolean }
  | { readonly ok: false; readonly error: string };

/** Characters a command may contain at all: step names, model ids, `--dry-run`. */
const SAFE_TEXT = /^[A-Za-z0-9._:/\s-]*$/;

const refuse = (error: string): ParsedUpgradeCommand => ({ ok: false, error });

/**
 * Parses `upgrade`, `upgrade --dry-run`, `upgrade npm-ci build`, `upgrade pull-model <id>`.
 * No steps means the defaults (git-pull, npm-ci, build, migrate). Steps are run in the fixed
 * allow-list order whatever order they were typed in.
 */
export function parseUpgradeCommand(text: string): ParsedUpgradeCommand {
  const help = `Allowed steps: ${describeAllowList()}; add --dry-run to only see the plan.`;
  if (!SAFE_TEXT.test(text)) {
    return refuse(`Refused: an upgrade names steps, nothing else. ${help}`);
  }
  const [verb, ...words] = text.trim().split(/\s+/);
  if (verb?.toLowerCase() !== 'upgrade') {
    return refuse(`Not an upgrade command. ${help}`);
  }
  let dryRun = false;
  const steps: UpgradeStep[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (word === '--dry-run') {
      dryRun = true;
      continue;
    }
    if (!isStepName(word)) {
      return refuse(`Unknown upgrade step '${word}'. ${help}`);
    }
    const args = word === 'pull-model' && words[i + 1] !== undefined ? [words[++i]!] : [];
    const problem = checkStep({ name: word, args });
    if (problem !== undefined) {
      return refuse(`Refused: ${problem}. ${help}`);
    }
    const key = [word, ...args].join(' ');
    if (steps.some((s) => [s.name, ...s.args].join(' ') === key)) {
      return refuse(`Refused: '${key}' is listed twice.`);
    }
    steps.push({ name: word, args });
  }
  return { ok: true, steps: steps.length === 0 ? [...DEFAULT_STEPS] : orderSteps(steps), dryRun };
}
