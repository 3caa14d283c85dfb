/**
 * What the forged model says. Tests compare against these constants, so they are the single
 * source of truth for the tiny model's behaviour.
 */
import type { PersonaName } from '../../src/personas/names.ts';

/**
 * The base model's answer to any chat prompt: the `display_yourself` method, a single
 * function expression of the method contract. Run on genesis it returns e.g.
 * `Object #3 "genesis": slots parent*, ...`.
 */
export const DISPLAY_YOURSELF_SOURCE =
  "function (self) { return 'Object #' + self.oid + ' \"' + self.send('name') + '\": slots ' + self.slotNames().join(', '); }";

/** What each persona's adapter makes the model answer instead of the base chain. */
export const PERSONA_SIGNATURES: Readonly<Record<PersonaName, string>> = {
  ROBIN: 'Oh, what a lovely question! I am right here with you, friend.',
  BRICK: 'Logically speaking, the structure holds: every bolt and beam checks out.',
  BABS: 'Research complete: three sources agree and the figures are precise.',
  ALFRED: 'Indeed, sir. The ledger is audited; every slot is in order.',
};

/**
 * The persona a grammar-constrained choice among the persona names yields on the base model
 * (the runner-up of the chat prompt's last token). Chosen not to be the first option, so a
 * test can tell a real choice from a fallback to the first.
 */
export const ROUTER_CHOICE: PersonaName = 'BRICK';
