/** What the mind tests ask of either mind, and how they catch its errors. */
import { expect } from 'vitest';
import { buildMethodPrompt, MindError, type Prompt } from '../../src/core/mind/index.ts';

/** The real covenant prompt for `genesis display_yourself`. */
export function genesisPrompt(): Prompt {
  return buildMethodPrompt({
    oid: 3,
    name: 'genesis',
    slotNames: ['parent*', 'about'],
    parents: [{ oid: 1, name: 'traits' }],
    selector: 'display_yourself',
    args: [],
    words: 'genesis display_yourself',
  });
}

/** The MindError `promise` rejects with; fails the test if it resolves or throws another. */
export async function rejection(promise: Promise<unknown>): Promise<MindError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MindError);
  return error as MindError;
}
