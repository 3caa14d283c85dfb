/**
 * A model scripted at its one seam for methods, `generateMethod`: it answers with the
 * sources given, in turn, so tests can have it write wrong methods on purpose. Everything
 * around it — the prompt, the checks, the sandbox, the image — is real.
 */
import type { GeneratedMethod, Mind, Prompt } from '../../src/core/mind/index.ts';

/** A model that answers with `sources` in turn (the last again when they run out). */
export function scriptedModel(sources: readonly string[]) {
  const prompts: Prompt[] = [];
  const model: Pick<Mind, 'generateMethod'> = {
    generateMethod: async (prompt): Promise<GeneratedMethod> => {
      prompts.push(prompt);
      const source = sources[Math.min(prompts.length, sources.length) - 1]!;
      return { source, model: 'scripted', promptHash: `p${prompts.length}`, tokens: 1 };
    },
  };
  return { model, prompts };
}
