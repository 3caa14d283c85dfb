/**
 * What a message means to the personas, decided against the image as it is:
 *
 * - addressed to a persona (`ALFRED, …`, `brick: …`, `@babs …`, `Robin …`), and the rest is
 *   a send that persona understands (`alfred slotNames`, `alfred setSlot voice "…"`): a send
 *   to the persona;
 * - addressed, asking for an audit (`ALFRED, audit persistence`): the audit;
 * - addressed otherwise: a conversation turn with that persona;
 * - addressed to nobody, and plainly prose rather than a send: routed to a persona;
 * - anything else is left to the bot as a send or command.
 */
import { SendError } from '../core/errors.ts';
import type { Transaction } from '../core/image/index.ts';
import { lookup } from '../core/model/lookup.ts';
import type { Oid } from '../core/model/value.ts';
import { namedObject } from '../core/uvm/names.ts';
import { parseLine, type Argument, type ParsedLine } from '../core/uvm/parser.ts';
import { parseAddressing } from './addressing.ts';
import { AUDIT_PRIMITIVE } from './primitives.ts';
import { readPersonas, type PersonaRecord } from './records.ts';

export type Intent =
  | {
      readonly kind: 'send';
      readonly persona: PersonaRecord;
      readonly selector: string;
      readonly args: readonly Argument[];
    }
  | { readonly kind: 'audit'; readonly persona: PersonaRecord; readonly collect: boolean }
  | { readonly kind: 'turn'; readonly persona: PersonaRecord; readonly text: string }
  | { readonly kind: 'unaddressed'; readonly personas: readonly PersonaRecord[] }
  | { readonly kind: 'none' };

/** `audit …`, `please audit …`, `run an audit …`: the start of a request for the audit. */
const AUDIT_REQUEST = /^(?:please\s+)?(?:(?:run|do|perform)\s+)?(?:an?\s+|the\s+|your\s+)?audit/iu;

/** Decides what `text` (parsed by the bot as `parsed`) is for the personas. */
export function readIntent(tx: Transaction, text: string, parsed: ParsedLine | SendError): Intent {
  const personas = readPersonas(tx);
  if (personas.length === 0) return { kind: 'none' };
  const addressed = parseAddressing(text, personas);
  if (addressed === undefined)
    return isProse(tx, text, parsed) ? { kind: 'unaddressed', personas } : { kind: 'none' };
  const persona = personas.find((p) => p.name === addressed.persona)!;
  const rest = addressed.rest;
  if (rest === '') return { kind: 'turn', persona, text: text.trim() };
  const send = understoodSend(tx, persona.oid, rest);
  const audits = holdsAudit(tx, persona.oid);
  if (send !== undefined) {
    if (
      send.selector === AUDIT_PRIMITIVE &&
      audits &&
      (send.args.length === 0 || isCollect(send.args))
    )
      return { kind: 'audit', persona, collect: send.args.length > 0 };
    return { kind: 'send', persona, ...send };
  }
  if (audits && AUDIT_REQUEST.test(rest))
    return { kind: 'audit', persona, collect: /\bcollect/iu.test(rest) };
  return { kind: 'turn', persona, text: rest };
}

/**
 * `rest` as a send to the persona, if it parses as one and the persona understands the
 * selector: a method or primitive with any arguments, a value slot with none.
 */
function understoodSend(
  tx: Transaction,
  oid: Oid,
  rest: string,
): { selector: string; args: readonly Argument[] } | undefined {
  let parsed: ParsedLine;
  try {
    parsed = parseLine(`#${oid} ${rest}`);
  } catch {
    return undefined;
  }
  if (parsed.kind !== 'send') return undefined;
  const found = lookup(oid, parsed.selector, (o) => tx.slots(o));
  if (found === undefined || (found.slot.kind === 'value' && parsed.args.length > 0))
    return undefined;
  return { selector: parsed.selector, args: parsed.args };
}

function holdsAudit(tx: Transaction, oid: Oid): boolean {
  const found = lookup(oid, AUDIT_PRIMITIVE, (o) => tx.slots(o));
  return found?.slot.kind === 'primitive' && found.slot.name === AUDIT_PRIMITIVE;
}

function isCollect(args: readonly Argument[]): boolean {
  const [first] = args;
  return args.length === 1 && first?.kind === 'value' && first.value === 'collect';
}

/**
 * Free text rather than a send: it reads like a sentence (three or more words, or ending in
 * `?`, `!` or `.`), does not open with an existing object (`genesis setSlot x "oops` is a
 * broken send, not prose), and does not parse as a send to one. A lone word stays a send to
 * genesis, and a limit error stays the bot's to report.
 */
function isProse(tx: Transaction, text: string, parsed: ParsedLine | SendError): boolean {
  if (parsed instanceof SendError ? parsed.code !== 'parse' : parsed.kind !== 'send') return false;
  const words = text.trim().split(/\s+/u);
  if (words.length < 3 && !/[?!.]$/u.test(text.trim())) return false;
  const first = words[0]!.replace(/^@/u, '').replace(/[,:;.!?]+$/u, '');
  if (/^#\d+$/u.test(first)) return false;
  return namedObject(tx, first) === undefined;
}
