/** The rules of a choice among options (the persona router's), whoever runs the model. */
import { MindError } from './errors.ts';

/** Throws 'config' unless there is at least one option, all different and none empty. */
export function checkChoiceOptions(options: readonly string[]): void {
  if (
    options.length === 0 ||
    options.some((o) => o === '') ||
    new Set(options).size !== options.length
  ) {
    throw new MindError(
      'config',
      'choose() needs at least one option, all different and none empty.',
    );
  }
}

/** The option the model's answer names; 'incomplete' when it names none. */
export function chosenOption<const T extends string>(options: readonly T[], answer: string): T {
  const chosen = options.find((option) => option === answer.trim());
  if (chosen === undefined)
    throw new MindError(
      'incomplete',
      `The model's choice ${JSON.stringify(answer)} is not an option.`,
    );
  return chosen;
}

/** The most tokens a choice may take: one per character of the longest option, and one more. */
export function choiceTokenLimit(options: readonly string[]): number {
  return Math.max(...options.map((o) => o.length)) + 1;
}
