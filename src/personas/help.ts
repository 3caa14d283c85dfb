/**
 * The personas' lines in `help`: who they are and how to address one. The core's help text
 * takes them from the composition root, since the core knows no personas.
 */
import { PERSONA_CODEX } from './codex.ts';
import { AUDITOR, PERSONA_NAMES } from './names.ts';

/** One line of two columns, as `help` lays its lines out. */
const row = (example: string, meaning: string) => `  ${example.padEnd(36)}${meaning}`;

const [first, second, third] = PERSONA_NAMES;

/** Four lines of `help`'s TALK section, each indented two spaces. */
export const PERSONA_HELP = [
  `  ${PERSONA_CODEX.map((p) => `${p.name} (${p.topics})`).join('  ')}`,
  row(
    `${first}, … · ${second.toLowerCase()}: … · @${third.toLowerCase()} …`,
    'talk to one persona by name',
  ),
  row(`${first} and ${second}, …`, 'a scene: each answers in turn, hearing the others'),
  row(
    `${AUDITOR}, audit persistence`,
    `${AUDITOR} audits the image · ${AUDITOR.toLowerCase()} lastAudit: the last`,
  ),
  row('remember that … · forget 2', 'your memory: what do you remember about me?'),
].join('\n');
