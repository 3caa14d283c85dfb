/**
 * The core's face to every front end: a {@link BotService} that turns a {@link Send} into a
 * caller context and a UVM send or command, and answers with a {@link Reply}. The UVM
 * decides what the caller may do; only the rate limit is decided here.
 */
import { join } from 'node:path';
import { ImageError, SendError } from '../errors.ts';
import type { Transaction } from '../image/index.ts';
import type { Logger } from '../log.ts';
import {
  isDirect,
  textReply,
  type BotService,
  type Reply,
  type ReplyEvents,
  type Send,
} from '../protocol.ts';
import { assertCommand } from '../access/commands.ts';
import { PERSON_PRINCIPAL, type Caller } from '../access/principal.ts';
import type { CommittedChange } from '../image/index.ts';
import type { AuditsView } from '../uvm/audits.ts';
import type { ImageStats } from '../uvm/image-stats.ts';
import type { ObjectView } from '../uvm/inspection.ts';
import type { ThreadView } from '../uvm/threads.ts';
import {
  DEFAULT_PARSER_LIMITS,
  isIdentifier,
  parseLine,
  type ObjectDesignator,
  type ParsedLine,
  type ParserLimits,
} from '../uvm/parser.ts';
import type { Uvm } from '../uvm/uvm.ts';
import type { HistoryQuery } from '../uvm/commands.ts';
import { callerOf, type Roles } from './caller.ts';
import { helpText } from './help.ts';
import { roomCommand } from './room-commands.ts';
import { roomHelp } from './room-help.ts';
import { answers, readRoom, type Room } from '../uvm/rooms.ts';
import { imageNameView, readMessage, type Reading } from './message-kind.ts';
import { RateLimiter, type RateLimit } from './rate-limit.ts';

/** The answer to a message the place's reply policy leaves alone: nothing is posted. */
const SILENT: Reply = { status: 'ok', parts: [], silent: true };

/** A send as the bot performs it: a parsed send line. */
export type SendLine = Extract<ParsedLine, { kind: 'send' }>;

/**
 * What the personas make of a message, decided within the bot's one read of it (see
 * {@link Conversation.read}).
 */
export type PersonaPlan =
  | {
      /** A send a persona understands (`alfred slotNames`): the bot performs it as any send. */
      readonly kind: 'send';
      readonly line: SendLine;
      /** The persona the reply comes from, when it should say so. */
      readonly persona?: string;
    }
  | {
      /** A turn or an audit: the personas answer it themselves, after the read. */
      readonly kind: 'answer';
      readonly answer: (events: ReplyEvents) => Promise<Reply>;
    };

/** Hands free text and persona addressing to the personas (see src/personas). */
export interface Conversation {
  /**
   * Decides, within the bot's one read of the message (`tx`, read as `reading`; see
   * `message-kind.ts`; said in `room`, see `core/uvm/rooms.ts`), whether `send` is for a
   * persona and what is to be done: reads all it needs now, so nothing reads the image again
   * before the work starts. Undefined leaves the message to the bot as a send or command.
   */
  read(
    tx: Transaction,
    send: Send,
    caller: Caller,
    reading: Reading,
    room: Room,
  ): PersonaPlan | undefined;
  /** The persona `word` names (a name or an alias, any case), as `bind` takes it. */
  personaNamed?(tx: Transaction, word: string): string | undefined;
}

/** Signs people in to the image browser (`src/adapters/browser`), handed in by `start.ts`. */
export interface BrowseDesk {
  /** A one-time sign-in link for the sender of `send` (`caller`), and the minutes it stays good. */
  link(send: Send, caller: Caller): Promise<{ readonly url: string; readonly minutes: number }>;
}

/** Files upgrade requests for the steward. */
export interface UpgradeDesk {
  request(send: Send, words: readonly string[]): Promise<string>;
}

export interface BotOptions {
  readonly uvm: Uvm;
  readonly log: Logger;
  /** Where `backup` writes when no file is named. */
  readonly backupDir: string;
  readonly sendLimit?: RateLimit;
  readonly parserLimits?: ParserLimits;
  readonly conversation?: Conversation;
  /** The personas' lines in `help` (src/personas/help.ts); the core knows no personas. */
  readonly personaHelp?: string;
  readonly upgrades?: UpgradeDesk;
  /** The image browser's sign-ins, when it is on (BATOS_BROWSER_PORT). */
  readonly browser?: BrowseDesk;
  /** Roles the core decides beyond the front end's admin flag. */
  readonly roles?: Roles;
}

export class Bot implements BotService {
  private readonly limiter: RateLimiter | undefined;

  constructor(private readonly options: BotOptions) {
    this.limiter = options.sendLimit ? new RateLimiter(options.sendLimit) : undefined;
  }

  async handle(send: Send, events: ReplyEvents = {}): Promise<Reply> {
    const caller = callerOf(send, this.options.roles);
    try {
      const limits = this.options.parserLimits ?? DEFAULT_PARSER_LIMITS;
      // One read decides everything: whether the place's policy has the bot answer, what the
      // message is, and what the personas make of it.
      const read = await this.options.uvm.readCommitted((tx) => {
        const room = readRoom(tx, send.platform, send.places ?? []);
        if (!answers(room, send.reach)) return undefined;
        const reading = readMessage(send.text, limits, imageNameView(tx, caller.principal));
        const plan = this.options.conversation?.read(tx, send, caller, reading, room);
        return { room, reading, plan };
      });
      if (read === undefined) return SILENT;
      // Only what the bot answers counts against the rate limit.
      const throttled = this.throttled(send);
      if (throttled !== undefined) return throttled;
      const { room, reading, plan } = read;
      if (plan?.kind === 'answer') return await plan.answer(events);
      if (plan?.kind === 'send')
        return await this.perform(plan.line, send, caller, events, room, plan.persona);
      if (reading.meant !== undefined)
        throw new SendError(
          'parse',
          `"${send.text.trim().split(/\s+/u)[0]}" is not a command: did you mean \`${reading.meant}\`? Nothing was changed. \`help\` lists what you can say.`,
        );
      if (reading.kind === 'conversation')
        throw new SendError(
          'parse',
          'That reads as conversation, and no persona is here to answer it; nothing was changed. A send names its object: `genesis <selector>`. Try `help`.',
        );
      if (reading.parsed instanceof SendError) throw reading.parsed;
      return await this.perform(reading.parsed, send, caller, events, room);
    } catch (error) {
      return this.failure(error, send);
    }
  }

  /**
   * The object `word` names (`genesis`, `@name`, `#3`) as data, for the browser's object
   * page: read with the caller of `send` exactly as a send to it would be, under the same
   * rate limit; a refusal comes back as the reply chat would give.
   */
  inspect(
    send: Send,
    word: string,
    /** The oid its children's page begins after (the first page without). */
    childrenAfter?: number,
  ): Promise<{ view: ObjectView } | { reply: Reply }> {
    return this.readAs(send, (caller) =>
      this.options.uvm.inspect(caller, objectWord(word), childrenAfter),
    );
  }

  /**
   * The audits the object `auditor` names (ALFRED) ran, newest first, as the caller may see
   * them, for the browser's audits page (see {@link Uvm.audits}); as {@link inspect}, refused
   * as chat would refuse.
   */
  audits(send: Send, auditor: string): Promise<{ view: AuditsView } | { reply: Reply }> {
    return this.readAs(send, (caller) => this.options.uvm.audits(caller, objectWord(auditor)));
  }

  /**
   * The conversation threads spoken in lately that the caller of `send` may read, for the
   * browser's personas page (see {@link Uvm.threads}).
   */
  threads(send: Send): Promise<{ view: ThreadView[] } | { reply: Reply }> {
    return this.readAs(send, (caller) => this.options.uvm.threads(caller));
  }

  /** One conversation thread, as {@link inspect} refused as chat would refuse (see {@link Uvm.thread}). */
  thread(send: Send, word: string): Promise<{ view: ThreadView } | { reply: Reply }> {
    return this.readAs(send, (caller) => this.options.uvm.thread(caller, objectWord(word)));
  }

  /** The image's statistics as the caller of `send` may see them (see {@link Uvm.imageStats}). */
  imageStats(send: Send): Promise<{ view: ImageStats } | { reply: Reply }> {
    return this.readAs(send, (caller) => this.options.uvm.imageStats(caller));
  }

  /** The image's change feed (see {@link Uvm.watch}): oids only, never what changed. */
  watch(watcher: (change: CommittedChange) => void): () => void {
    return this.options.uvm.watch(watcher);
  }

  /**
   * What `read` answers the caller of `send`, under the rate limit, for a browser page; a
   * refusal or failure as the reply chat would give.
   */
  private async readAs<T>(
    send: Send,
    read: (caller: Caller) => Promise<T>,
  ): Promise<{ view: T } | { reply: Reply }> {
    const throttled = this.throttled(send);
    if (throttled !== undefined) return { reply: throttled };
    try {
      return { view: await read(callerOf(send, this.options.roles)) };
    } catch (error) {
      return { reply: this.failure(error, send) };
    }
  }

  /** The rate limit's refusal, when `send`'s sender is over it. */
  private throttled(send: Send): Reply | undefined {
    // The console is the operator at the machine; only chat users are limited.
    const allowed =
      send.platform === 'console'
        ? undefined
        : this.limiter?.take(`${send.platform}:${send.sender.id}`);
    if (allowed && !allowed.ok)
      return textReply(
        'refused',
        `Easy there — you're sending faster than I can keep up. Try again in ${allowed.retryAfterSeconds}s.`,
      );
    return undefined;
  }

  private async perform(
    parsed: ParsedLine,
    send: Send,
    caller: Caller,
    events: ReplyEvents,
    room: Room,
    persona?: string,
  ): Promise<Reply> {
    const { uvm } = this.options;
    if (parsed.kind === 'send') {
      const outcome = await uvm.send({
        caller,
        target: parsed.target,
        selector: parsed.selector,
        args: parsed.args,
        ...(parsed.asksForMethod ? { asksForMethod: true } : {}),
        message: send.text,
        ...(events.status ? { onStatus: (text: string) => events.status?.(text) } : {}),
        ...(events.signal ? { signal: events.signal } : {}),
      });
      const reply = textReply('ok', outcome.text, {
        ...(persona === undefined ? {} : { persona }),
        ...(outcome.tx === undefined ? {} : { tx: outcome.tx }),
      });
      const note =
        outcome.reusedFrom !== undefined
          ? `(copied from ${outcome.reusedFrom}, which the image already had; the model was not asked. \`undo\` takes the copy back)`
          : outcome.attempts !== undefined
            ? `(the model wrote ${parsed.selector} in ${outcome.attempts} attempts; only the last, which passed, was kept)`
            : undefined;
      if (note === undefined) return reply;
      return { ...reply, parts: [...reply.parts, { kind: 'text', text: note }] };
    }
    const words = parsed.words;
    switch (parsed.command) {
      case 'help':
        return {
          status: 'ok',
          parts: [
            {
              kind: 'code',
              code: helpText(this.options.personaHelp, roomHelp(send.places ?? [], room)),
            },
          ],
        };
      case 'bind':
      case 'unbind':
      case 'reply': {
        const hook = this.options.conversation;
        return roomCommand(parsed.command, words, {
          uvm,
          send,
          caller,
          ...(hook?.personaNamed ? { personaNamed: hook.personaNamed.bind(hook) } : {}),
        });
      }
      case 'history':
        return {
          status: 'ok',
          parts: [{ kind: 'code', code: await uvm.history(caller, historyQuery(words)) }],
        };
      case 'undo': {
        const id = words[0] === undefined ? undefined : /^(?:tx)?(\d{1,15})$/.exec(words[0]);
        if (id === null)
          throw new SendError(
            'parse',
            `"${words[0]}" is not a transaction id. \`history\` lists them.`,
          );
        const { undone, tx } = await uvm.undo(caller, id === undefined ? undefined : Number(id[1]));
        return textReply('ok', `Undid transaction ${undone}.`, tx === undefined ? {} : { tx });
      }
      case 'versions': {
        const { object, selector } = methodWords(words, 2, 'versions');
        return {
          status: 'ok',
          parts: [{ kind: 'code', code: await uvm.versions(caller, object, selector) }],
        };
      }
      case 'revert': {
        const { object, selector, n } = methodWords(words, 3, 'revert');
        const { tx } = await uvm.revert(caller, object, selector, n!);
        return textReply(
          'ok',
          `Put version ${n} of ${selector} back.`,
          tx === undefined ? {} : { tx },
        );
      }
      case 'implementors':
      case 'senders': {
        const [selector] = words;
        if (words.length !== 1 || !isIdentifier(selector!))
          throw new SendError(
            'parse',
            `That is not how ${parsed.command} goes. \`${parsed.command} greet\` lists the methods you may read that ${parsed.command === 'senders' ? 'send' : 'answer'} greet.`,
          );
        const found = await uvm.findMethods(caller, parsed.command, selector!);
        return { status: 'ok', parts: [{ kind: 'code', code: found }] };
      }
      case 'collect': {
        const days = words[0] === undefined ? undefined : Number(words[0]);
        if (days !== undefined && !(Number.isInteger(days) && days >= 0))
          throw new SendError(
            'parse',
            `"${words[0]}" is not a number of days. \`collect\` alone keeps all history; \`collect 30\` also forgets transactions older than 30 days.`,
          );
        const result = await uvm.collect(caller, days);
        const forgotten =
          days === undefined
            ? ''
            : ` Forgot ${result.forgottenTransactions} transaction${result.forgottenTransactions === 1 ? '' : 's'} older than ${days} day${days === 1 ? '' : 's'}.`;
        return textReply(
          'ok',
          `Collected ${result.deleted} unreachable object${result.deleted === 1 ? '' : 's'}; ${result.remaining} remain.${forgotten} (sweep ${result.sweepMs.toFixed(0)} ms, compact ${result.compactMs.toFixed(0)} ms)`,
        );
      }
      case 'backup': {
        assertCommand(caller, 'backup');
        const file = this.backupFile(caller, words[0]);
        await uvm.backup(caller, file);
        return textReply('ok', `Backed the image up to ${file}.`);
      }
      case 'browse':
        return textReply('ok', await this.browse(send, caller, words));
      case 'upgrade': {
        assertCommand(caller, 'upgrade');
        if (this.options.upgrades === undefined)
          throw new SendError(
            'not-allowed',
            'Upgrades need the steward: run BAT OS with `npm run serve`.',
          );
        return textReply('ok', await this.options.upgrades.request(send, words));
      }
    }
  }

  /**
   * `browse` (a one-time sign-in link, in a DM or the console), `browse logout` (ends the
   * sender's browser sessions) and `browse logout <principal>` (admins: anyone's).
   */
  private async browse(send: Send, caller: Caller, words: readonly string[]): Promise<string> {
    const usage =
      '`browse` answers a sign-in link (in a DM), `browse logout` ends your browser sessions, `browse logout <person>` (admins) ends theirs.';
    const [word, who, ...extra] = words;
    if (word === undefined) {
      const desk = this.options.browser;
      if (desk === undefined)
        throw new SendError(
          'not-allowed',
          'The image browser is off here: the operator turns it on with BATOS_BROWSER_PORT (one process serves it). Nothing was done.',
        );
      if (!isDirect(send))
        throw new SendError(
          'not-allowed',
          'Ask for a browser link in a direct message to me: the link signs in as you, so anyone who saw it here could use it. Nothing was done.',
        );
      const { url, minutes } = await desk.link(send, caller);
      return `Open ${url} within ${minutes} minute${minutes === 1 ? '' : 's'}: it signs you in to the image browser once. \`browse logout\` ends the session.`;
    }
    if (word.toLowerCase() !== 'logout' || extra.length > 0)
      throw new SendError('parse', `That is not how browse goes. ${usage}`);
    const whom = who ?? caller.principal;
    if (!PERSON_PRINCIPAL.test(whom))
      throw new SendError(
        'parse',
        `"${whom}" is not a person: write them as platform:id (slack:U123, discord:42). ${usage}`,
      );
    // Sessions are kept in the image: ended here, they end in every process, browser on or not.
    const ended = await this.options.uvm.signIns.logout(caller, whom, Date.now());
    const whose = whom === caller.principal ? 'yours' : whom;
    return ended === 0
      ? `There was no browser session of ${whose} to end.`
      : `Ended ${ended} browser session${ended === 1 ? '' : 's'} of ${whose}.`;
  }

  /**
   * Where `backup` writes: a timestamped file in the backup folder, or a name given there.
   * Only the console (the operator at the machine) may name a path elsewhere: a chat admin
   * must not be able to overwrite files on the host.
   */
  private backupFile(caller: Caller, requested: string | undefined): string {
    const stamped = `live_image-${new Date().toISOString().replace(/[:.]/g, '-')}.db`;
    if (requested === undefined) return join(this.options.backupDir, stamped);
    if (caller.operator) return requested;
    if (!/^[\w.-]{1,100}$/.test(requested) || requested.startsWith('.'))
      throw new SendError(
        'bad-argument',
        `"${requested}" is not a backup name: give a plain file name (letters, digits, . _ -); it goes into the backup folder.`,
      );
    return join(this.options.backupDir, requested);
  }

  private failure(error: unknown, send: Send): Reply {
    if (error instanceof SendError)
      return textReply(
        error.code === 'not-allowed' || error.code === 'rate-limited' ? 'refused' : 'error',
        error.message,
      );
    if (error instanceof ImageError && error.code === 'unavailable') {
      this.options.log.warn(
        `send from ${send.platform}:${send.sender.id} failed: ${error.message}`,
      );
      return textReply('error', error.message);
    }
    this.options.log.error(
      `send from ${send.platform}:${send.sender.id} failed: ${(error as Error).stack ?? String(error)}`,
    );
    return textReply(
      'error',
      `Something went wrong inside BAT OS, and nothing was changed. (${(error as Error).message})`,
    );
  }
}

/** `history`'s words: nothing, `all`, a transaction (`36`, `tx36`) or an object. */
function historyQuery(words: readonly string[]): HistoryQuery {
  const usage =
    "`history` shows the last 10 transactions people made, `history all` BAT OS's own too, `history 36` transaction 36, `history genesis` what changed an object; add `by slack:U1`, `from 2026-12-01` or `to 2026-12-07T18:00` to narrow it.";
  const [first, ...rest] = words;
  const named = first !== undefined && !HISTORY_FILTERS.has(first.toLowerCase());
  const query = { ...historyTarget(named ? first : undefined, usage) };
  const filters = named ? rest : words;
  for (let i = 0; i < filters.length; i += 2) {
    const key = filters[i]!.toLowerCase();
    const value = filters[i + 1];
    if (!HISTORY_FILTERS.has(key) || value === undefined || key in query)
      throw new SendError(
        'parse',
        `\`history\` takes one object, transaction or \`all\`, then each of by, from and to once with a value. ${usage}`,
      );
    if (key === 'by') {
      if (!PERSON_PRINCIPAL.test(value))
        throw new SendError(
          'parse',
          `"${value}" is not a person: write them as platform:id. ${usage}`,
        );
      Object.assign(query, { by: value });
    } else Object.assign(query, { [key]: historyTime(value, key === 'to', usage) });
  }
  return query;
}

/** The words that narrow `history`. */
const HISTORY_FILTERS = new Set(['by', 'from', 'to']);

/** What `history` shows before its filters: `all`, one transaction, or one object. */
function historyTarget(word: string | undefined, usage: string): HistoryQuery {
  if (word === undefined) return {};
  if (word.toLowerCase() === 'all') return { all: true };
  const tx = /^(?:tx)?(\d{1,15})$/iu.exec(word);
  if (tx !== null) return { tx: Number(tx[1]) };
  const parsed = parseObjectWord(word);
  if (parsed === undefined)
    throw new SendError('parse', `"${word}" is not an object, a transaction or \`all\`. ${usage}`);
  return { object: parsed };
}

/**
 * A day (`2026-12-07`) or a time (`2026-12-07T18:00`, UTC unless it says otherwise) as an ISO
 * time; `to` a day means up to its end.
 */
function historyTime(word: string, to: boolean, usage: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/u.test(word);
  const time =
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?$/u.test(word);
  const ms =
    day || time ? Date.parse(day || /(?:Z|[+-]\d{2}:\d{2})$/u.test(word) ? word : `${word}Z`) : NaN;
  if (Number.isNaN(ms))
    throw new SendError(
      'parse',
      `"${word}" is not a day or a time: write 2026-12-07, or 2026-12-07T18:00 (UTC). ${usage}`,
    );
  return new Date(day && to ? ms + 86_400_000 : ms).toISOString();
}

/** `versions object selector` and `revert object selector N`: their words, checked. */
function methodWords(
  words: readonly string[],
  count: 2 | 3,
  command: 'versions' | 'revert',
): { object: ObjectDesignator; selector: string; n?: number } {
  const usage =
    command === 'versions'
      ? "`versions genesis greet` lists the versions of genesis's method greet."
      : "`revert genesis greet 2` puts version 2 of genesis's greet back (`versions genesis greet` lists them).";
  const [objectWord, selector, number] = words;
  const object = objectWord === undefined ? undefined : parseObjectWord(objectWord);
  if (
    words.length !== count ||
    object === undefined ||
    selector === undefined ||
    !isIdentifier(selector)
  )
    throw new SendError('parse', `That is not how ${command} goes. ${usage}`);
  if (count === 2) return { object, selector };
  const n = /^\d{1,6}$/u.test(number ?? '') ? Number(number) : 0;
  if (n < 1) throw new SendError('parse', `"${number}" is not a version number. ${usage}`);
  return { object, selector, n };
}

/** The object `word` names, or a `parse` {@link SendError} saying what an object word is. */
function objectWord(word: string): ObjectDesignator {
  const object = /\s/u.test(word) ? undefined : parseObjectWord(word);
  if (object === undefined)
    throw new SendError(
      'parse',
      `"${word}" is not an object: give a root name, @name or #oid (\`root slotNames\` lists the names).`,
    );
  return object;
}

/** `word` as an object designator (`genesis`, `@genesis`, `#3`), if it is one. */
function parseObjectWord(word: string): ObjectDesignator | undefined {
  try {
    const parsed = parseLine(`${word} x`);
    return parsed.kind === 'send' ? parsed.target : undefined;
  } catch {
    return undefined;
  }
}
