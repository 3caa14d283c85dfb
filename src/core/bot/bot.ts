/**
 * The core's face to every front end: a {@link BotService} that turns a {@link Send} into a
 * UVM send or a command and answers with a {@link Reply}. Permissions that depend on who
 * asks (admin commands, rate limits) are decided here, once, for every platform.
 */
import { join } from 'node:path';
import { SendError } from '../errors.ts';
import type { Logger } from '../log.ts';
import {
  textReply,
  type BotService,
  type Reply,
  type ReplyEvents,
  type Send,
} from '../protocol.ts';
import { nameOf, resolveDesignator } from '../uvm/names.ts';
import {
  DEFAULT_PARSER_LIMITS,
  parseLine,
  type ParsedLine,
  type ParserLimits,
} from '../uvm/parser.ts';
import type { TransactionInfo } from '../image/index.ts';
import type { Uvm } from '../uvm/uvm.ts';
import { HELP_TEXT } from './help.ts';
import { imageNameView, readMessage, type Reading } from './message-kind.ts';
import { historyText } from './history-text.ts';
import { RateLimiter, type RateLimit } from './rate-limit.ts';

/** Hands free text and persona addressing to the personas (see src/personas). */
export interface Conversation {
  /**
   * Answers `send` if it is addressed to a persona, or is conversation (`reading.kind`, see
   * `message-kind.ts`); returns undefined to let the bot perform it as a send or command.
   */
  answer(
    send: Send,
    info: TransactionInfo,
    events: ReplyEvents,
    reading: Reading,
  ): Promise<Reply | undefined>;
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
  readonly upgrades?: UpgradeDesk;
}

export class Bot implements BotService {
  private readonly limiter: RateLimiter | undefined;

  constructor(private readonly options: BotOptions) {
    this.limiter = options.sendLimit ? new RateLimiter(options.sendLimit) : undefined;
  }

  async handle(send: Send, events: ReplyEvents = {}): Promise<Reply> {
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
    const info: TransactionInfo = {
      who: `${send.platform}:${send.sender.id}`,
      platform: send.platform,
      channel: send.thread ?? send.channel,
      message: send.text,
    };
    try {
      const limits = this.options.parserLimits ?? DEFAULT_PARSER_LIMITS;
      const reading = await this.options.uvm.read((tx) =>
        readMessage(send.text, limits, imageNameView(tx)),
      );
      const conversed = await this.options.conversation?.answer(send, info, events, reading);
      if (conversed !== undefined) return conversed;
      if (reading.kind === 'conversation')
        throw new SendError(
          'parse',
          'That reads as conversation, and no persona is here to answer it; nothing was changed. A send names its object: `genesis <selector>`. Try `help`.',
        );
      if (reading.parsed instanceof SendError) throw reading.parsed;
      return await this.perform(reading.parsed, send, info, events);
    } catch (error) {
      return this.failure(error, send);
    }
  }

  private async perform(
    parsed: ParsedLine,
    send: Send,
    info: TransactionInfo,
    events: ReplyEvents,
  ): Promise<Reply> {
    const { uvm } = this.options;
    if (parsed.kind === 'send') {
      const outcome = await uvm.send({
        target: parsed.target,
        selector: parsed.selector,
        args: parsed.args,
        info,
        ...(events.status ? { onStatus: (text: string) => events.status?.(text) } : {}),
      });
      return textReply('ok', outcome.text, outcome.tx === undefined ? {} : { tx: outcome.tx });
    }
    const words = parsed.words;
    switch (parsed.command) {
      case 'help':
        return { status: 'ok', parts: [{ kind: 'code', code: HELP_TEXT }] };
      case 'history':
        return this.history(words);
      case 'undo':
        return this.undo(words, send, info);
      case 'collect': {
        this.requireAdmin(send, 'collect');
        const days = words[0] === undefined ? undefined : Number(words[0]);
        if (days !== undefined && !(Number.isInteger(days) && days >= 0))
          throw new SendError(
            'parse',
            `"${words[0]}" is not a number of days. \`collect\` alone keeps all history; \`collect 30\` also forgets transactions older than 30 days.`,
          );
        const result = await uvm.withImage((image) =>
          image.collect(days === undefined ? {} : { keepHistoryDays: days }),
        );
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
        this.requireAdmin(send, 'backup');
        const file = this.backupFile(send, words[0]);
        await uvm.withImage((image) => image.backup(file));
        return textReply('ok', `Backed the image up to ${file}.`);
      }
      case 'upgrade': {
        if (!send.sender.isAdmin || !send.adminChannel)
          throw new SendError(
            'not-allowed',
            'Upgrades are for admins, asked in the admin channel. Nothing was requested.',
          );
        if (this.options.upgrades === undefined)
          throw new SendError(
            'not-allowed',
            'Upgrades need the steward: run BAT OS with `npm run serve`.',
          );
        return textReply('ok', await this.options.upgrades.request(send, words));
      }
    }
  }

  private async history(words: readonly string[]): Promise<Reply> {
    const { uvm } = this.options;
    const text = await uvm.read(async (tx) => {
      const oid = words[0] === undefined ? undefined : resolveDesignator(tx, parseObject(words[0]));
      const entries = await uvm.image.history(
        oid === undefined ? { limit: 20 } : { oid, limit: 20 },
      );
      if (entries.length === 0)
        return oid === undefined
          ? 'No transactions yet.'
          : `Nothing has changed ${uvm.label(tx, oid)} yet.`;
      return historyText(entries, (o) => nameOf(tx, o), oid);
    });
    return { status: 'ok', parts: [{ kind: 'code', code: text }] };
  }

  private async undo(words: readonly string[], send: Send, info: TransactionInfo): Promise<Reply> {
    const { uvm } = this.options;
    const id = words[0] === undefined ? undefined : /^(?:tx)?(\d{1,15})$/.exec(words[0]);
    if (id === null)
      throw new SendError(
        'parse',
        `"${words[0]}" is not a transaction id. \`history\` lists them.`,
      );
    const target = id === undefined ? undefined : Number(id[1]);
    const { undone, tx } = await uvm.withImage(async (image) => {
      const prepared = await image.prepareUndo(info, target);
      const undoneId = prepared.info.undoOf!;
      const [entry] = await image.history({ tx: undoneId, limit: 1 });
      if (!send.sender.isAdmin && entry?.who !== info.who)
        throw new SendError(
          'not-allowed',
          `Transaction ${undoneId} was made by someone else; only admins may undo it.`,
        );
      return { undone: undoneId, tx: image.commit(prepared) };
    });
    return textReply('ok', `Undid transaction ${undone}.`, tx === undefined ? {} : { tx });
  }

  /**
   * Where `backup` writes: a timestamped file in the backup folder, or a name given there.
   * Only the console (the operator at the machine) may name a path elsewhere: a chat admin
   * must not be able to overwrite files on the host.
   */
  private backupFile(send: Send, requested: string | undefined): string {
    const stamped = `live_image-${new Date().toISOString().replace(/[:.]/g, '-')}.db`;
    if (requested === undefined) return join(this.options.backupDir, stamped);
    if (send.platform === 'console') return requested;
    if (!/^[\w.-]{1,100}$/.test(requested) || requested.startsWith('.'))
      throw new SendError(
        'bad-argument',
        `"${requested}" is not a backup name: give a plain file name (letters, digits, . _ -); it goes into the backup folder.`,
      );
    return join(this.options.backupDir, requested);
  }

  private requireAdmin(send: Send, what: string): void {
    if (!send.sender.isAdmin) throw new SendError('not-allowed', `Only admins may ${what}.`);
  }

  private failure(error: unknown, send: Send): Reply {
    if (error instanceof SendError)
      return textReply(
        error.code === 'not-allowed' || error.code === 'rate-limited' ? 'refused' : 'error',
        error.message,
      );
    this.options.log.error(
      `send from ${send.platform}:${send.sender.id} failed: ${(error as Error).stack ?? String(error)}`,
    );
    return textReply(
      'error',
      `Something went wrong inside BAT OS, and nothing was changed. (${(error as Error).message})`,
    );
  }
}

function parseObject(word: string) {
  const parsed = parseLine(`${word} x`);
  if (parsed.kind !== 'send') throw new SendError('parse', `"${word}" is not an object.`);
  return parsed.target;
}
