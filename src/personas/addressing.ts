/**
 * Recognising a message addressed to a persona by name: `Robin, …`, `BRICK: …`, `@babs …`,
 * `Alfred …`, `hey Robin, …`, or the name alone (`Robin?`).
 *
 * Choices, to avoid false positives:
 * - the name must be a whole word: `robinhood is…` is not addressed to ROBIN;
 * - a possessive or contraction is talk *about* the persona, not to it: `Robin's idea…`;
 * - with only a space after the name (no `,` `:` `!` `?` `.` `;` or dash), a following
 *   verb such as `is`, `was`, `has`, `can` makes it a sentence about the persona
 *   (`Brick is stubborn`), not an address — unless `you` follows (`Brick can you…`);
 *   `@name` is always an address; other bare forms are trusted (`brick walls…` is taken
 *   as addressed to BRICK);
 * - one leading greeting (`hey`, `hi`, `hello`, `dear`, `ok`, `okay`) may come before the
 *   name, but then the name must be followed by punctuation or end the message
 *   (`hey Robin, …`; but `hi robin birds are early` is left alone).
 * Matching ignores case; the persona's name and its aliases all count.
 */

/** What addressing needs to know of a persona. */
export interface Addressable {
  readonly name: string;
  readonly aliases: readonly string[];
}

/** A message addressed to a persona: its name (as in the codex) and the rest of the text. */
export interface Addressed {
  readonly persona: string;
  readonly rest: string;
}

const GREETINGS = ['hey', 'hi', 'hello', 'dear', 'ok', 'okay'];

/**
 * Words that, right after a bare name, make the message a statement about the persona —
 * unless `you` follows (`Robin can you…` is a question to ROBIN; `Robin can fly` is not).
 */
const STATEMENT_VERBS = new Set(
  (
    'is was are were has had have does did do will would can could should shall may might ' +
    'must isnt wasnt doesnt didnt cant wont said says thinks thought seems seemed'
  ).split(' '),
);

/** Punctuation that separates a name from the rest of the message. */
const SEPARATOR = /^\s*(?:[,:;.!?]+|\s[-–—]+)\s*/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

const GREETING = new RegExp(`^(?:${GREETINGS.join('|')})[,!]?\\s+`, 'iu');

/** The names of a set of personas, compiled once into one pattern. */
interface Compiled {
  /** Every name and alias at the start of a text, longest first. */
  readonly pattern: RegExp | undefined;
  /** Lower-cased name or alias → the persona's name. */
  readonly personaOf: ReadonlyMap<string, string>;
}

/**
 * Compiled patterns, per list of personas: built once when the personas change (the
 * records are read anew only then), so addressing a message costs two pattern matches
 * whatever is stored.
 */
const compiled = new WeakMap<readonly Addressable[], Compiled>();

function compile(personas: readonly Addressable[]): Compiled {
  let found = compiled.get(personas);
  if (found !== undefined) return found;
  const personaOf = new Map<string, string>();
  for (const p of personas)
    for (const alias of [p.name, ...p.aliases])
      if (alias !== '' && !personaOf.has(alias.toLowerCase()))
        personaOf.set(alias.toLowerCase(), p.name);
  const alternatives = [...personaOf.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  found = {
    pattern:
      alternatives.length === 0
        ? undefined
        : new RegExp(`^(@?)(${alternatives.join('|')})(?![\\p{L}\\p{N}_'’])`, 'iu'),
    personaOf,
  };
  compiled.set(personas, found);
  return found;
}

/** Finds the persona a message is addressed to, if it is addressed by name. */
export function parseAddressing(
  text: string,
  personas: readonly Addressable[],
): Addressed | undefined {
  const { pattern, personaOf } = compile(personas);
  if (pattern === undefined) return undefined;
  const trimmed = text.trim();
  const greeting = GREETING.exec(trimmed);
  for (const start of greeting ? [greeting[0].length, 0] : [0]) {
    const candidate = trimmed.slice(start);
    const match = pattern.exec(candidate);
    if (!match) continue;
    const persona = personaOf.get(match[2]!.toLowerCase());
    const rest = restAfterName(candidate.slice(match[0].length), match[1] === '@', start > 0);
    if (persona !== undefined && rest !== undefined) return { persona, rest };
  }
  return undefined;
}

/**
 * The rest of the message after a name, if the name addresses the persona, else undefined.
 * After a greeting the name must be followed by punctuation or the end.
 */
function restAfterName(
  after: string,
  mentioned: boolean,
  afterGreeting: boolean,
): string | undefined {
  if (after.trim() === '') return '';
  const separator = SEPARATOR.exec(after);
  if (separator) return after.slice(separator[0].length).trim();
  if (!/^\s/u.test(after)) return undefined;
  if (afterGreeting && !mentioned) return undefined;
  const words =
    after
      .toLowerCase()
      .replace(/['’]/gu, '')
      .match(/\p{L}+/gu) ?? [];
  const [next, following] = [words[0], words[1]];
  const aboutThePersona = next !== undefined && STATEMENT_VERBS.has(next) && following !== 'you';
  if (!mentioned && aboutThePersona) return undefined;
  return after.trim();
}
