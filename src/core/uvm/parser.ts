/**
 * The message language every front end shares.
 *
 *   <object> <selector> [arg …]      e.g.  genesis setSlot color "blue"
 *   <selector>                       a lone selector goes to genesis: display_yourself
 *   <command> [arg …]                undo, history, versions, revert, implementors, senders,
 *                                    collect, backup, upgrade, browse, help
 *
 * An object is a name from the root table (`genesis`, `@genesis`) or an oid (`#3`).
 * Arguments are JSON values, `@name` or `#oid` references, or bare words (strings).
 */
import { DEFAULT_QUOTAS, formatBytes } from '../access/quotas.ts';
import { SendError } from '../errors.ts';
import type { Oid, Value } from '../model/value.ts';

/** A reference to an object as written in a message. */
export type ObjectDesignator =
  | {
      readonly kind: 'name';
      readonly name: string;
      /** Written `@name`: the sender means that object whoever owns it. */
      readonly explicit?: boolean;
    }
  | { readonly kind: 'oid'; readonly oid: Oid };

/**
 * One argument as written: a value, a reference still to resolve against the image, or a
 * JSON value with references inside (`[@genesis, #7]`), each held as
 * `{"$ref": <designator>}` until the image resolves it.
 */
export type Argument =
  | { readonly kind: 'value'; readonly value: Value }
  | { readonly kind: 'template'; readonly value: Value }
  | ObjectDesignator;

export const COMMANDS = [
  'undo',
  'history',
  'versions',
  'revert',
  'implementors',
  'senders',
  'collect',
  'backup',
  'upgrade',
  'browse',
  'help',
  'bind',
  'unbind',
  'reply',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/** The command `word` names, in any case (`help`, `HELP`, `History`), if any. */
export function commandNamed(word: string): CommandName | undefined {
  const lower = word.toLowerCase();
  return COMMANDS.find((command) => command === lower);
}

export type ParsedLine =
  | {
      readonly kind: 'send';
      readonly target: ObjectDesignator;
      readonly selector: string;
      readonly args: readonly Argument[];
      /** Written `selector()`: the sender wants a method, even where a slot or a near selector would do. */
      readonly asksForMethod?: true;
    }
  | { readonly kind: 'command'; readonly command: CommandName; readonly words: readonly string[] };

export interface ParserLimits {
  /** Longest message, in characters. */
  readonly maxMessageLength: number;
  /**
   * Largest single argument, in bytes of its JSON: the largest value a slot may hold
   * (BATOS_MAX_VALUE_BYTES), so that one limit bounds what a message can carry.
   */
  readonly maxArgumentBytes: number;
  readonly maxArguments: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxMessageLength: 4_000,
  maxArgumentBytes: DEFAULT_QUOTAS.maxValueBytes,
  maxArguments: 16,
};

/**
 * Letters are ASCII letters, with or without accents (`café`, `naïve`, `señal`), and the
 * Latin letters of their own (`Straße`, `smørrebrød`): a letter must decompose into an ASCII
 * letter and combining marks, or be one of those. Other letters are left out because some
 * look exactly like ASCII ones (Cyrillic `е`, Latin `ɡ`), and a name that looks like another
 * object's would mislead whoever reads it.
 */
const IDENTIFIER = /^[\p{L}_][\p{L}0-9_]{0,63}$/u;
const ACCENTED_LETTER = /^(?:[A-Za-z]\p{M}+|[ßæøœðþłÆØŒÐÞŁ])$/u;
const OID = /^#(\d{1,15})$/;

/**
 * Whether a word can be a selector, a name or a slot name: an identifier of at most 64
 * characters, of letters (accented ones too, each one precomposed character, as NFC writes
 * it: no separate, perhaps invisible, marks), digits and _, not starting with a digit.
 */
export function isIdentifier(word: string): boolean {
  if (!IDENTIFIER.test(word)) return false;
  if (/^[A-Za-z0-9_]*$/.test(word)) return true;
  for (const char of word)
    if (
      /\p{L}/u.test(char) &&
      !/[A-Za-z]/.test(char) &&
      !ACCENTED_LETTER.test(char.normalize('NFD'))
    )
      return false;
  return true;
}

/** The object every lone selector goes to. */
export const DEFAULT_RECEIVER = 'genesis';

/** Parses one message. Throws a {@link SendError} (`parse` or `limit`) that says what is wrong. */
export function parseLine(line: string, limits: ParserLimits = DEFAULT_PARSER_LIMITS): ParsedLine {
  const text = line.trim();
  if (text.length > limits.maxMessageLength)
    throw new SendError(
      'limit',
      `That message is ${text.length} characters long; the limit is ${limits.maxMessageLength}.`,
    );
  if (text === '') throw new SendError('parse', 'The message is empty. Try `help`.');
  const tokens = tokenize(text);
  const [first, ...rest] = tokens as [Token, ...Token[]];
  const command = first.kind === 'word' ? commandNamed(first.text) : undefined;
  if (command !== undefined) return { kind: 'command', command, words: rest.map((t) => t.text) };

  if (tokens.length === 1) {
    const lone = selectorOf(first);
    if (lone === undefined)
      throw new SendError(
        'parse',
        `"${abbreviate(first.text)}" is not a selector. A message is \`<object> <selector> [arguments]\`, or a lone selector for genesis.`,
      );
    return { kind: 'send', target: { kind: 'name', name: DEFAULT_RECEIVER }, ...lone, args: [] };
  }

  const target = designator(first);
  const selectorToken = rest[0]!;
  const selector = selectorOf(selectorToken);
  if (selector === undefined)
    throw new SendError(
      'parse',
      `"${abbreviate(selectorToken.text)}" is not a selector: a selector is a name of letters (accents allowed), digits and _ (at most 64), not starting with a digit.`,
    );
  const argTokens = rest.slice(1);
  if (argTokens.length > limits.maxArguments)
    throw new SendError(
      'limit',
      `That send has ${argTokens.length} arguments; the limit is ${limits.maxArguments}.`,
    );
  return {
    kind: 'send',
    target,
    ...selector,
    args: argTokens.map((t, i) => argument(t, i + 1, limits)),
  };
}

/** A selector token: `color`, or `color()` when its sender asks for a method. */
function selectorOf(token: Token): { selector: string; asksForMethod?: true } | undefined {
  if (token.kind !== 'word') return undefined;
  const asksForMethod = token.text.endsWith('()');
  const selector = asksForMethod ? token.text.slice(0, -2) : token.text;
  if (!isIdentifier(selector)) return undefined;
  return asksForMethod ? { selector, asksForMethod } : { selector };
}

interface Token {
  readonly kind: 'word' | 'json';
  readonly text: string;
}

/** Splits on whitespace, keeping JSON strings, arrays and objects whole. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i += 1;
      continue;
    }
    const start = i;
    const opener = text[i]!;
    if (opener === '"' || opener === '[' || opener === '{') {
      i = endOfJson(text, i);
      tokens.push({ kind: 'json', text: text.slice(start, i) });
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) i += 1;
      // A keyboard may send `é` as `e` and a mark; names are compared as NFC writes them.
      tokens.push({ kind: 'word', text: text.slice(start, i).normalize('NFC') });
    }
  }
  return tokens;
}

/** The index just past the JSON string, array or object that starts at `start`. */
function endOfJson(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth += 1;
    else if (c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  throw new SendError(
    'parse',
    `The argument starting ${abbreviate(text.slice(start))} is not closed: check its quotes and brackets.`,
  );
}

function designator(token: Token): ObjectDesignator {
  const oid = OID.exec(token.text);
  if (oid) return { kind: 'oid', oid: Number(oid[1]) };
  const explicit = token.text.startsWith('@');
  const name = explicit ? token.text.slice(1) : token.text;
  if (token.kind === 'word' && isIdentifier(name))
    return explicit ? { kind: 'name', name, explicit } : { kind: 'name', name };
  throw new SendError(
    'parse',
    `"${abbreviate(token.text)}" is not an object: name one from the root table (genesis, @genesis) or give an oid (#3).`,
  );
}

function argument(token: Token, position: number, limits: ParserLimits): Argument {
  const bytes = Buffer.byteLength(token.text);
  if (bytes > limits.maxArgumentBytes)
    throw new SendError(
      'limit',
      `Argument ${position} is ${formatBytes(bytes)}; an argument, like a slot's value, may be at most ${formatBytes(limits.maxArgumentBytes)} (BATOS_MAX_VALUE_BYTES).`,
    );
  if (token.kind === 'word') {
    if (OID.test(token.text) || (token.text.startsWith('@') && isIdentifier(token.text.slice(1))))
      return designator(token);
    if (/^-?\d/.test(token.text) || ['true', 'false', 'null'].includes(token.text)) {
      const value = tryJson(token.text);
      if (value !== undefined) return { kind: 'value', value };
    }
    return { kind: 'value', value: token.text };
  }
  const value = tryJson(token.text);
  if (value !== undefined) {
    assertNoReservedKey(value, position);
    return { kind: 'value', value };
  }
  const template = token.text.includes('"$ref"') ? undefined : tryJson(markReferences(token.text));
  if (template === undefined)
    throw new SendError(
      'parse',
      `Argument ${position} is not valid JSON: ${abbreviate(token.text)}`,
    );
  return { kind: 'template', value: template };
}

/** Rewrites `@name` and `#oid` outside strings as `{"$ref": designator}` placeholders. */
function markReferences(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const reference =
      c === '@' || c === '#'
        ? /^(?:@([\p{L}_][\p{L}0-9_]{0,63})|#(\d{1,15}))/u.exec(text.slice(i))
        : null;
    if (reference === null || (reference[1] !== undefined && !isIdentifier(reference[1]))) {
      out += c;
      continue;
    }
    const designator: ObjectDesignator =
      reference[1] !== undefined
        ? { kind: 'name', name: reference[1] }
        : { kind: 'oid', oid: Number(reference[2]) };
    out += JSON.stringify({ $ref: designator });
    i += reference[0].length - 1;
  }
  return out;
}

function tryJson(text: string): Value | undefined {
  try {
    return JSON.parse(text) as Value;
  } catch {
    return undefined;
  }
}

function assertNoReservedKey(value: Value, position: number): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) assertNoReservedKey(item, position);
    return;
  }
  if ('$ref' in value)
    throw new SendError(
      'parse',
      `Argument ${position} uses the key "$ref", which is reserved for object references: write @name or #oid instead.`,
    );
  for (const item of Object.values(value)) assertNoReservedKey(item, position);
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
