/**
 * What a message means to the personas, decided against the image as it is:
 *
 * - addressed to a persona (`ALFRED, …`, `brick: …`, `@babs …`, `Robin …`), and the rest is
 *   a send that persona understands (`alfred slotNames`, `alfred setSlot voice "…"`): a send
 *   to the persona;
 * - addressed, asking for an audit (`ALFRED, audit persistence`): the audit;
 * - addressed otherwise: a conversation turn with that persona;
 * - addressed to several (`ROBIN and BRICK, …`, see `scene.ts`): a scene, where each answers
 *   in turn;
 * - addressed to nobody, and conversation by the bot's rule (`core/bot/message-kind.ts`:
 *   `hi`, `hello there`, `what can you do?`): routed to a persona;
 * - anything else is left to the bot as a send or command.
 */
import type { Reading } from '../core/bot/message-kind.ts';
import type { Transaction } from '../core/image/index.ts';
import { lookup } from '../core/model/lookup.ts';
import type { Oid } from '../core/model/value.ts';
import { parseLine, type Argument, type ParsedLine } from '../core/uvm/parser.ts';
import { parseAddressing } from './addressing.ts';
import { parseScene } from './scene.ts';
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
  | {
      readonly kind: 'scene';
      readonly personas: readonly PersonaRecord[];
      readonly text: string;
    }
  | { readonly kind: 'unaddressed'; readonly personas: readonly PersonaRecord[] }
  | { readonly kind: 'none' };

/** `audit …`, `please audit …`, `run an audit …`: the start of a request for the audit. */
const AUDIT_REQUEST = /^(?:please\s+)?(?:(?:run|do|perform)\s+)?(?:an?\s+|the\s+|your\s+)?audit/iu;

/** Decides what `text` (read by the bot as `reading`) is for the personas. */
export function readIntent(tx: Transaction, text: string, reading: Reading): Intent {
  const personas = readPersonas(tx);
  if (personas.length === 0) return { kind: 'none' };
  const scene = parseScene(text, personas);
  if (scene !== undefined)
    return {
      kind: 'scene',
      personas: scene.personas.map((name) => personas.find((p) => p.name === name)!),
      text: scene.rest === '' ? text.trim() : scene.rest,
    };
  const addressed = parseAddressing(text, personas);
  if (addressed === undefined)
    return reading.kind === 'conversation' ? { kind: 'unaddressed', personas } : { kind: 'none' };
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
