/**
 * The personas' lines in `help`: who they are and how to address one. The core's help text
 * takes them from the composition root, since the core knows no personas.
 */
import { PERSONA_CODEX } from './codex.ts';

/** Three lines of `help`'s TALK section, each indented two spaces. */
export const PERSONA_HELP = [
  `  ${PERSONA_CODEX.map((p) => `${p.name} (${p.topics})`).join('  ')}`,
  '  ROBIN, … · brick: … · @babs …       talk to one persona by name',
  '  ALFRED, audit persistence           ALFRED checks the image for lost writes',
].join('\n');
