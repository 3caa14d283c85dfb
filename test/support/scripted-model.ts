/**
 * The scripted forged model (`npm run forge -- --script`) for tests of the method loop: a
 * real llama.cpp model that writes, for each selector, the script's sources in turn (wrong
 * ones on purpose), so everything — the prompt, the model, the checks, the sandbox, the
 * image — is real. Tests read the prompts the model was given through a recorder.
 */
import { afterAll, beforeAll } from 'vitest';
import { Mind, type Prompt } from '../../src/core/mind/index.ts';
import type { ForgeScript } from '../../tools/forge/index.ts';
import { scriptedForged, tinyConfig } from './forged.ts';

/** The real model, and what each recorder it made was asked. */
export interface ScriptedModel {
  /** The loaded model (after the test file's `beforeAll`). */
  readonly mind: () => Mind;
  /** The model as a writer takes it, recording the prompts it is given (one recorder a test). */
  recorder(): { model: Pick<Mind, 'generateMethod'>; prompts: Prompt[] };
}

/** Forges and loads the model scripted by `script` once for the test file, closed after it. */
export function useScriptedModel(script: ForgeScript): ScriptedModel {
  let mind: Mind | undefined;
  beforeAll(async () => {
    const files = await scriptedForged(script);
    mind = await Mind.load(tinyConfig(files.model, { modelsDir: files.outDir }));
  });
  afterAll(() => mind?.close());
  const loaded = () => {
    if (mind === undefined) throw new Error('the scripted model is loaded in beforeAll');
    return mind;
  };
  return {
    mind: loaded,
    recorder() {
      const prompts: Prompt[] = [];
      return {
        prompts,
        model: {
          generateMethod: (prompt, options) => {
            prompts.push(prompt);
            return loaded().generateMethod(prompt, options);
          },
        },
      };
    },
  };
}
