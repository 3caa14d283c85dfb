/**
 * The one rule that tells a send from conversation, the same for every front end:
 *
 * - a **command** starts with a command word: `help`, `history genesis`, `undo 12`;
 * - a **send** starts with something that names an object — a root name (`genesis`,
 *   `traits`), `@name` or `#oid`, even when the rest is broken (`genesis setSlot x "oops`,
 *   `#999 color`, so the sender hears what is wrong) — or with a word shaped like a program's
 *   name (`myWidget setSlot …`, `no_such color`), or its second word is (`widget setSlot …`);
 * - a **lone word** is a send to genesis when genesis (or what it inherits from) understands
 *   it (`clone`, `slotNames`) or it looks like a program's selector: an underscore
 *   (`display_yourself`), an inner capital (`auditPersistence`) or a trailing colon
 *   (`frobnicate:`);
 * - everything else is **conversation** for a persona: `hi`, `thanks!`, `ok`, `hello there`,
 *   `what can you do?`, `Genesis is a good name`.
 *
 * Names are matched as written (the root table is case-sensitive), so `Traits of a leader?` is
 * conversation. Messages addressed to a persona (`ALFRED, …`) are the personas' to read first.
 */
import { SendError } from '../errors.ts';
import type { Transaction } from '../image/index.ts';
import { lookup } from '../model/lookup.ts';
import type { Principal } from '../access/principal.ts';
import { followsBareName, namedObject } from '../uvm/names.ts';
import {
  COMMANDS,
  DEFAULT_RECEIVER,
  parseLine,
  type ParsedLine,
  type ParserLimits,
} from '../uvm/parser.ts';

/** What a message is, by {@link messageKind}. */
export type MessageKind = 'command' | 'send' | 'conversation';

/** What the rule needs to know of the image, as it is when the message arrives. */
export interface NameView {
  /**
   * Whether the root table names an object `name` (`root` always does) that a bare name of
   * the sender's reaches: the system's, or the sender's own (someone else's takes `@name`).
   */
  namesObject(name: string): boolean;
  /** Whether genesis, or an object it inherits from, has a slot `selector`. */
  genesisUnderstands(selector: string): boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/u;
/** An underscore between letters or digits, or a capital after a lower-case letter or digit. */
const PROGRAM_MARK = /[A-Za-z0-9]_|_[A-Za-z0-9]|[a-z0-9][A-Z]/u;
const DESIGNATOR = /^(?:@[A-Za-z_][A-Za-z0-9_]*|#\d+)/u;

/** Whether `word` looks like a program's name (`display_yourself`, `auditPersistence`). */
export function isProgramShaped(word: string): boolean {
  return IDENTIFIER.test(word) && PROGRAM_MARK.test(word);
}

/** Whether a lone `word` reads as a selector: program-shaped, `frobnicate:`, or understood. */
function isLoneSelector(word: string, image: NameView): boolean {
  if (isProgramShaped(word)) return true;
  if (word.endsWith(':')) return IDENTIFIER.test(word.slice(0, -1));
  return IDENTIFIER.test(word) && image.genesisUnderstands(word);
}

/** Decides whether `text` is a command, a send or conversation (see the module comment). */
export function messageKind(text: string, image: NameView): MessageKind {
  const words = text.trim().split(/\s+/u);
  const first = words[0]!;
  if (first === '') return 'send';
  if ((COMMANDS as readonly string[]).includes(first)) return 'command';
  if (DESIGNATOR.test(first)) return 'send';
  if (words.length === 1) return isLoneSelector(first, image) ? 'send' : 'conversation';
  const name = first.replace(/[,:;.!?]+$/u, '');
  if (IDENTIFIER.test(name) && image.namesObject(name)) return 'send';
  if (isProgramShaped(first) || isProgramShaped(words[1]!)) return 'send';
  return 'conversation';
}

/** The {@link NameView} of the image as `tx` sees it, for a message from `sender`. */
export function imageNameView(tx: Transaction, sender: Principal): NameView {
  return {
    namesObject: (name) => {
      const oid = namedObject(tx, name);
      return oid !== undefined && tx.exists(oid) && followsBareName(tx, oid, sender);
    },
    genesisUnderstands: (selector) => {
      const genesis = namedObject(tx, DEFAULT_RECEIVER);
      return genesis !== undefined && lookup(genesis, selector, (o) => tx.slots(o)) !== undefined;
    },
  };
}

/** A message as the bot reads it: parsed (or why it does not parse), and its kind. */
export interface Reading {
  readonly parsed: ParsedLine | SendError;
  readonly kind: MessageKind;
}

/**
 * Parses `text` and decides its kind against `image`. A message over a parser limit stays a
 * send, so its sender hears about the limit whatever the words.
 */
export function readMessage(text: string, limits: ParserLimits, image: NameView): Reading {
  let parsed: ParsedLine | SendError;
  try {
    parsed = parseLine(text, limits);
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    parsed = error;
  }
  const kind =
    parsed instanceof SendError && parsed.code === 'limit' ? 'send' : messageKind(text, image);
  return { parsed, kind };
}
