/**
 * The allow-list of upgrade steps. Nothing else can be asked for: a request names steps
 * from this list, and each step maps to one fixed command (see `commands.ts`).
 */

/** The only step names an upgrade request may contain, in the order they always run. */
export const STEP_NAMES = ['git-pull', 'npm-ci', 'build', 'migrate', 'pull-model'] as const;

/** One allowed step name. */
export type StepName = (typeof STEP_NAMES)[number];

/** One step of an upgrade: its name and its arguments (only `pull-model` takes one). */
export interface UpgradeStep {
  readonly name: StepName;
  readonly args: readonly string[];
}

/** What a bare `upgrade` runs. */
export const DEFAULT_STEPS: readonly UpgradeStep[] = [
  { name: 'git-pull', args: [] },
  { name: 'npm-ci', args: [] },
  { name: 'build', args: [] },
  { name: 'migrate', args: [] },
];

/**
 * A model id for `pull-model`: letters, digits and `._:/-`, starting with a letter or digit,
 * no `..`. Strict on purpose: the id ends up on a command line (npm runs scripts in a shell).
 */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** Whether `id` is acceptable as a `pull-model` argument. */
export function isModelId(id: string): boolean {
  return MODEL_ID_PATTERN.test(id) && !id.includes('..');
}

/** Whether `name` is on the allow-list. */
export function isStepName(name: string): name is StepName {
  return (STEP_NAMES as readonly string[]).includes(name);
}

/** The allow-list as users see it, for refusals and help. */
export function describeAllowList(): string {
  return 'git-pull, npm-ci, build, migrate, pull-model <model-id>';
}

/**
 * Checks one step's arguments. Returns an error text, or `undefined` when the step is valid.
 */
export function checkStep(step: { name: string; args: readonly unknown[] }): string | undefined {
  if (!isStepName(step.name)) {
    return `unknown step '${step.name}'`;
  }
  if (step.name === 'pull-model') {
    const [id] = step.args;
    if (step.args.length !== 1 || typeof id !== 'string' || !isModelId(id)) {
      return 'pull-model needs exactly one model id (letters, digits, ._:/-)';
    }
    return undefined;
  }
  return step.args.length === 0 ? undefined : `${step.name} takes no arguments`;
}

/** Puts steps in the one order that makes sense (pull before install before build…). */
export function orderSteps(steps: readonly UpgradeStep[]): UpgradeStep[] {
  return [...steps].sort((a, b) => STEP_NAMES.indexOf(a.name) - STEP_NAMES.indexOf(b.name));
}

/** `pull-model tinyllama` / `build`: a step as a person would type it. */
export function formatStep(step: UpgradeStep): string {
  return [step.name, ...step.args].join(' ');
}
