/** A choice among options (the persona router's), whoever runs the model. */
import { MindError } from './errors.ts';
import { choiceGbnf } from './method-grammar.ts';
import type { Prompt } from './service.ts';

/** What generation needs to choose among options. */
export interface ChoiceRequest extends Prompt {
  /** A GBNF grammar that accepts exactly one of the options. */
  readonly grammar: string;
  /** One token per character of the longest option, and one more. */
  readonly maxTokens: number;
}

/**
 * The prompt (a user message, or a system prompt and a message), grammar and token limit
 * of a choice. Throws 'config' unless there is at least one option, all different and none
 * empty.
 */
export function choiceRequest(options: readonly string[], prompt: string | Prompt): ChoiceRequest {
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
  return {
    ...(typeof prompt === 'string' ? { system: '', user: prompt } : prompt),
    grammar: choiceGbnf(options),
    maxTokens: Math.max(...options.map((o) => o.length)) + 1,
  };
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
