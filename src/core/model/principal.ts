/**
 * Who owns objects and methods, and is charged for what they add: `system` for BAT OS
 * itself, `<platform>:<id>` for a person. (Who *asks*, with which roles, is
 * `core/access/principal.ts`.)
 */

/** An owner or a caller: `system`, or `<platform>:<platform user id>`. */
export type Principal = string;

/** BAT OS itself: owner of the primordial objects, the personas and the conversations. */
export const SYSTEM: Principal = 'system';
