/**
 * The one rule that tells a send from conversation, the same for every front end:
 *
 * - a **command** starts with a command word, in any case: `help`, `HELP`, `history genesis`,
 *   `undo 12`;
 * - a **send** starts with something that names an object — a root name (`genesis`,
 *   `traits`), `@name` or `#oid`, even when the rest is broken (`genesis setSlot x "oops`,
 *   `#999 color`, so the sender hears what is wrong) — or with a word shaped like a program's
 *   name (`myWidget setSlot …`, `no_such color`), or its second word is (`widget setSlot …`).
 *   A root name and a comma addresses the object in words (`genesis, what are you?`): the
 *   send the words make if the object understands it (`genesis, slotNames`), else `describe`;
 * - a **lone word** is a send to genesis when genesis (or what it inherits from) understands
 *   it (`clone`, `slotNames`) or it looks like a program's selector: an underscore
 *   (`display_yourself`), an inner capital (`auditPersistence`) or a trailing colon
 *   (`frobnicate:`);
 * - a **typo** of a command, alone or with that command's arguments (`hepl`, `histroy
 *   genesis`; see `command-typo.ts`), is answered "did you mean …?";
 * - everything else is **conversation** for a persona: `hi`, `thanks!`, `ok`, `hello there`,
 *   `what can you do?`, `Genesis is a good name`.
 *
 * Names are matched as written (the root table is case-sensitive), so `Traits of a leader?` is
 * conversation. Messages addressed to a persona (`ALFRED, …`) are the personas' to read first.
 */
import { SendError } from '../errors.ts';
import type { Transaction } from '../image/index.ts';
import { lookup } from '../model/lookup.ts';
import type { Principal } from '../model/principal.ts';
import { followsBareName } from '../uvm/names.ts';
import { namedObject } from '../model/name-table.ts';
import {
  commandNamed,
  DEFAULT_RECEIVER,
  isIdentifier,
  parseLine,
  type CommandName,
  type ParsedLine,
  type ParserLimits,
} from '../uvm/parser.ts';
import { commandTypo } from './command-typo.ts';

/** What a message is, by {@link messageKind}. */
export type MessageKind = 'command' | 'send' | 'typo' | 'conversation';

/** What the rule needs to know of the image, as it is when the message arrives. */
export interface NameView {
  /**
   * Whether the root table names an object `name` (`root` always does) that a bare name of
   * the sender's reaches: the system's, or the sender's own (someone else's takes `@name`).
   */
  namesObject(name: string): boolean;
  /** Whether the object named `name`, or an object it inherits from, has a slot `selector`. */
  understands(name: string, selector: string): boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/u;
/** An underscore between letters or digits, or a capital after a lower-case letter or digit. */
const PROGRAM_MARK = /[A-Za-z0-9]_|_[A-Za-z0-9]|[a-z0-9][A-Z]/u;
const DESIGNATOR = /^(?:@[A-Za-z_][A-Za-z0-9_]*|#\d+)/u;

/** Whether `word` looks like a program's name (`display_yourself`, `auditPersistence`). */
export function isProgramShaped(word: string): boolean {
  return IDENTIFIER.test(word) && PROGRAM_MARK.test(word);
}

/**
 * Whether a lone `word` reads as a selector: program-shaped, `frobnicate:`, `color()` (a
 * method asked for), or understood.
 */
function isLoneSelector(word: string, image: NameView): boolean {
  if (isProgramShaped(word)) return true;
  if (word.endsWith(':')) return IDENTIFIER.test(word.slice(0, -1));
  if (word.endsWith('()')) return IDENTIFIER.test(word.slice(0, -2));
  return IDENTIFIER.test(word) && image.understands(DEFAULT_RECEIVER, word);
}

/** Decides whether `text` is a command, a send or conversation (see the module comment). */
export function messageKind(text: string, image: NameView): MessageKind {
  const words = text.trim().split(/\s+/u);
  const first = words[0]!;
  if (first === '') return 'send';
  if (commandNamed(first) !== undefined) return 'command';
  if (DESIGNATOR.test(first)) return 'send';
  if (words.length === 1 && isLoneSelector(first, image)) return 'send';
  const name = first.replace(/[,:;.!?]+$/u, '');
  if (words.length > 1 && isIdentifier(name) && image.namesObject(name)) return 'send';
  if (words.length > 1 && (isProgramShaped(first) || isProgramShaped(words[1]!))) return 'send';
  return commandTypo(words, image) === undefined ? 'conversation' : 'typo';
}

/** The {@link NameView} of the image as `tx` sees it, for a message from `sender`. */
export function imageNameView(tx: Transaction, sender: Principal): NameView {
  return {
    namesObject: (name) => {
      const oid = namedObject(tx, name);
      return oid !== undefined && tx.exists(oid) && followsBareName(tx, oid, sender);
    },
    understands: (name, selector) => {
      const oid = namedObject(tx, name);
      return oid !== undefined && lookup(oid, selector, (o) => tx.slots(o)) !== undefined;
    },
  };
}

/**
 * A message as the bot reads it: parsed (or why it does not parse), its kind, and for a
 * typo the command it most likely meant.
 */
export interface Reading {
  readonly parsed: ParsedLine | SendError;
  readonly kind: MessageKind;
  readonly meant?: CommandName;
}

/** `genesis, what are you?`: a root name, a comma, and words for the object. */
const ADDRESSED_OBJECT = /^@?([^\s,]+)\s*,\s*(.*)$/su;

/**
 * The send a message addressed to an object in words makes (see the module comment), or
 * undefined when it is not one.
 */
function addressedObject(
  text: string,
  limits: ParserLimits,
  image: NameView,
): ParsedLine | undefined {
  const match = ADDRESSED_OBJECT.exec(text.trim());
  const name = match?.[1];
  if (name === undefined || !isIdentifier(name) || !image.namesObject(name)) return undefined;
  const words = match![2]!;
  try {
    const parsed = parseLine(`${name} ${words}`, limits);
    if (parsed.kind === 'send' && image.understands(name, parsed.selector)) return parsed;
  } catch (error) {
    if (!(error instanceof SendError) || error.code === 'limit') throw error;
  }
  return { kind: 'send', target: { kind: 'name', name }, selector: 'describe', args: [] };
}

/**
 * Parses `text` and decides its kind against `image`. A message over a parser limit stays a
 * send, so its sender hears about the limit whatever the words.
 */
export function readMessage(text: string, limits: ParserLimits, image: NameView): Reading {
  let parsed: ParsedLine | SendError;
  try {
    parsed = addressedObject(text, limits, image) ?? parseLine(text, limits);
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    parsed = error;
  }
  const kind =
    parsed instanceof SendError && parsed.code === 'limit' ? 'send' : messageKind(text, image);
  const meant = kind === 'typo' ? commandTypo(text.trim().split(/\s+/u), image) : undefined;
  return { parsed, kind, ...(meant === undefined ? {} : { meant }) };
}
