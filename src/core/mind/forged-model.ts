/**
 * How BAT OS tells the forged test model (written by `tools/forge`, `npm run forge`) when it
 * loads one: by the `general.name` the forge writes, never by its file name. Replies spoken
 * by that model are marked, since its answers are fixed.
 */

/** The forged model's `general.name`. */
export const FORGED_MODEL_NAME = 'batos-tiny';

/** How a persona reply from the forged model is marked. */
export const FORGED_MODEL_NOTE = 'forged test model';

/** Whether a loaded model is the forged one, by its `general.name`. */
export function isForgedModel(metadata: { readonly name: string | null }): boolean {
  return metadata.name === FORGED_MODEL_NAME;
}
