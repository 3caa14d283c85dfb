/**
 * `bind`, `unbind` and `reply`: a place's admins (and BAT OS's) bind a persona and a reply
 * policy where they speak (see `core/uvm/rooms.ts`). Each is one transaction of BAT OS's own
 * state made for the admin: history names them and the message, and an admin may undo it.
 * A refusal says why and changes nothing.
 */
import { assertCommand } from '../access/commands.ts';
import type { Caller } from '../access/principal.ts';
import { SendError } from '../errors.ts';
import type { Transaction } from '../image/index.ts';
import { textReply, type Place, type Reply, type Send } from '../protocol.ts';
import { transactionInfo } from '../uvm/delivery.ts';
import {
  bindingAt,
  REPLY_POLICIES,
  writeBinding,
  type Binding,
  type ReplyPolicy,
} from '../uvm/rooms.ts';
import type { Uvm } from '../uvm/uvm.ts';

/** The words that pick a place: `here` is the nearest (the thread, else the channel). */
const WHERE = ['here', 'thread', 'channel', 'category'] as const;

/** What the room commands need of the bot. */
export interface RoomCommandContext {
  readonly uvm: Uvm;
  readonly send: Send;
  readonly caller: Caller;
  /** The persona a word names (see `Conversation.personaNamed`); absent without personas. */
  readonly personaNamed?: (tx: Transaction, word: string) => string | undefined;
}

const USAGE =
  'Say `bind PERSONA here` (or `thread`, `channel`, `category`), `reply mentions`, `reply threads` or `reply ambient` (then where, as for bind), or `unbind` (then where).';

/** Performs `command` with its `words`, answering what is now bound where. */
export async function roomCommand(
  command: 'bind' | 'unbind' | 'reply',
  words: readonly string[],
  ctx: RoomCommandContext,
): Promise<Reply> {
  const { send, caller, uvm } = ctx;
  assertCommand(caller, command);
  const [first, second, ...extra] = words;
  const whereWord = command === 'unbind' ? first : second;
  if (extra.length > 0 || (command === 'unbind' && second !== undefined))
    throw new SendError('parse', `\`${command}\` takes fewer words. ${USAGE}`);
  const place = placeNamed(send.places ?? [], whereWord);
  const where = `this ${place.kind}`;
  const stamp = { by: caller.principal, at: new Date().toISOString() };
  const info = transactionInfo(caller, send.text);
  if (command === 'reply') {
    const policy = REPLY_POLICIES.find((p) => p === first?.toLowerCase());
    if (policy === undefined)
      throw new SendError(
        'parse',
        `"${first ?? ''}" is not a reply policy: \`mentions\` (only when I am mentioned), \`threads\` (also in threads I am in) or \`ambient\` (everything said here). Nothing was changed.`,
      );
    const { tx } = await uvm.asSystem(info, (t) => {
      const kept = bindingAt(t, send.platform, place);
      writeBinding(t, send.platform, place, { ...kept, ...stamp, policy });
    });
    return textReply('ok', `Reply policy for ${where}: ${policy} — ${POLICY_WORDS[policy]}.`, {
      ...(tx === undefined ? {} : { tx }),
    });
  }
  if (command === 'unbind') {
    const { tx } = await uvm.asSystem(info, (t) => {
      if (bindingAt(t, send.platform, place) === undefined)
        throw new SendError(
          'bad-argument',
          `Nothing is bound to ${where}; nothing was changed. \`help\` here says what holds.`,
        );
      writeBinding(t, send.platform, place, undefined);
    });
    return textReply(
      'ok',
      `Unbound ${where}: the router picks a persona here again, and the reply policy is what the places around it say (else the default).`,
      tx === undefined ? {} : { tx },
    );
  }
  const word = first ?? '';
  const { result: persona, tx } = await uvm.asSystem(info, (t) => {
    const name = ctx.personaNamed?.(t, word);
    if (name === undefined)
      throw new SendError(
        'bad-argument',
        ctx.personaNamed === undefined
          ? 'No persona is here to bind; nothing was changed.'
          : `"${word}" is not a persona; nothing was changed. \`help\` lists them. ${USAGE}`,
      );
    const kept: Binding | undefined = bindingAt(t, send.platform, place);
    writeBinding(t, send.platform, place, { ...kept, ...stamp, persona: name });
    return name;
  });
  return textReply(
    'ok',
    `${persona} answers in ${where}: what is said here without naming a persona goes to ${persona}. \`unbind\` undoes it.`,
    { ...(tx === undefined ? {} : { tx }) },
  );
}

/** What each policy means, as replies and `help` say it. */
export const POLICY_WORDS: Readonly<Record<ReplyPolicy, string>> = {
  mentions: 'I answer only when mentioned',
  threads: 'I answer when mentioned and in the threads I am in',
  ambient: 'I answer everything said here',
};

/** The place `word` picks among `places` (nearest first); refused where there is none. */
function placeNamed(places: readonly Place[], word: string | undefined): Place {
  const where = WHERE.find((w) => w === (word ?? 'here').toLowerCase());
  if (where === undefined) throw new SendError('parse', `"${word}" is not a place here. ${USAGE}`);
  const place = where === 'here' ? places[0] : places.find((p) => p.kind === where);
  if (place !== undefined) return place;
  throw new SendError(
    'bad-argument',
    places.length === 0
      ? 'There is no channel here to bind: direct messages (and slash commands) keep the router. Say it in a channel or a thread, mentioning me. Nothing was changed.'
      : `This message was not said in a ${where}; nothing was changed. ${USAGE}`,
  );
}
