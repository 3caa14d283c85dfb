/**
 * The personas' names: the one list every other place derives from (the codex, the
 * `BATOS_DEFAULT_PERSONA` choices, `help`, Discord's `/ask`, the forged model's answers).
 */

/** The four personas, as they are written and addressed, in the order they are listed. */
export const PERSONA_NAMES = ['ROBIN', 'BRICK', 'BABS', 'ALFRED'] as const;

/** A persona's name. */
export type PersonaName = (typeof PERSONA_NAMES)[number];

/** Who answers free text the rules and the model cannot place, unless told (BATOS_DEFAULT_PERSONA). */
export const DEFAULT_PERSONA: PersonaName = 'ROBIN';

/** The persona that keeps the image: it holds the audit, and the heartbeat records on it. */
export const AUDITOR: PersonaName = 'ALFRED';
