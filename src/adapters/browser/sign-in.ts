/**
 * Signing in to the image browser from chat: `browse` answers a one-time link — a random
 * token naming the chat identity that asked, good for a few minutes and once — and opening
 * it starts a session for that identity, held by a random token in a cookie. Links and
 * sessions are kept in the image through the UVM's `SignInDesk`, by the SHA-256 of their
 * tokens only: a restart or an upgrade signs nobody out, a link used in one process is used
 * in all, and `browse logout` ends sessions everywhere.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Caller } from '../../core/access/principal.ts';
import type { BrowseDesk } from '../../core/bot/bot.ts';
import { InternalError } from '../../core/errors.ts';
import type { Platform, Send, Sender } from '../../core/protocol.ts';
import type { LinkRefusal, SignInDesk, SignInRecord } from '../../core/uvm/sign-in-desk.ts';

export type { LinkRefusal };

/** Who a browser session speaks for: the chat identity that asked for the link. */
export interface Viewer {
  readonly platform: Platform;
  readonly sender: Sender;
  /** The DM (or console) the link was asked in: the viewer's sends come from there. */
  readonly channel: string;
}

/** A signed-in browser. */
export interface Session {
  /** The cookie's token (only its hash is kept). */
  readonly id: string;
  readonly viewer: Viewer;
  /** Every form carries it; a POST without it is refused (CSRF). Derived from `id`. */
  readonly csrf: string;
  readonly expires: number;
}

export interface SignInOptions {
  readonly linkMinutes: number;
  readonly sessionHours: number;
  /** The clock, in ms (tests move it). */
  readonly now?: () => number;
}

/** What a token looks like: 32 random bytes, base64url. */
const TOKEN = /^[\w-]{43}$/u;

const randomToken = (): string => randomBytes(32).toString('base64url');

/** What the image keeps of a token. */
const hashOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** A session's CSRF token: bound to its cookie, so it needs no keeping of its own. */
const csrfOf = (id: string): string =>
  createHash('sha256').update(`batos csrf\n${id}`).digest('base64url');

/** The viewer a record names, if it is one this browser wrote for that very principal. */
function viewerOf(record: SignInRecord): Viewer | undefined {
  try {
    const viewer = JSON.parse(record.identity) as Viewer;
    return `${viewer.platform}:${viewer.sender.id}` === record.principal ? viewer : undefined;
  } catch {
    return undefined;
  }
}

/** The sign-in links and sessions of the browser, kept in the image. */
export class SignIns implements BrowseDesk {
  private readonly now: () => number;
  private baseUrl: string | undefined;

  constructor(
    private readonly desk: SignInDesk,
    private readonly options: SignInOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Where links point, once the browser listens (its public address). */
  listening(baseUrl: string): void {
    this.baseUrl = baseUrl.replace(/\/+$/u, '');
  }

  /** A one-time sign-in link for the sender of `send`. */
  async link(send: Send, caller: Caller): Promise<{ url: string; minutes: number }> {
    // start.ts starts the browser before any front end that could ask.
    if (this.baseUrl === undefined)
      throw new InternalError('a browse link was asked before the browser listened');
    const viewer: Viewer = { platform: send.platform, sender: send.sender, channel: send.channel };
    const token = randomToken();
    const now = this.now();
    const expires = now + this.options.linkMinutes * 60_000;
    await this.desk.offerLink(caller, hashOf(token), JSON.stringify(viewer), expires, now);
    return { url: `${this.baseUrl}/signin?t=${token}`, minutes: this.options.linkMinutes };
  }

  /** What `token` would sign in as, without using it; or why it would not. */
  async check(token: string): Promise<{ viewer: Viewer } | { refused: LinkRefusal }> {
    if (!TOKEN.test(token)) return { refused: 'malformed' };
    const found = await this.desk.lookUpLink(hashOf(token), this.now());
    if ('refused' in found) return found;
    const viewer = viewerOf(found.record);
    return viewer === undefined ? { refused: 'malformed' } : { viewer };
  }

  /** Uses `token` once: a new session for its viewer, or why not. */
  async redeem(token: string): Promise<{ session: Session } | { refused: LinkRefusal }> {
    if (!TOKEN.test(token)) return { refused: 'malformed' };
    const id = randomToken();
    const now = this.now();
    const opened = await this.desk.redeem(
      hashOf(token),
      hashOf(id),
      now + this.options.sessionHours * 3_600_000,
      now,
    );
    if ('refused' in opened) return opened;
    const session = this.sessionOf(id, opened.record);
    if (session !== undefined) return { session };
    await this.desk.endSession(hashOf(id));
    return { refused: 'malformed' };
  }

  /** The live session `id` (the cookie) names, if any. */
  async session(id: string | undefined): Promise<Session | undefined> {
    if (id === undefined || !TOKEN.test(id)) return undefined;
    const record = await this.desk.session(hashOf(id), this.now());
    return record === undefined ? undefined : this.sessionOf(id, record);
  }

  /** Ends one session (the page's sign-out). */
  end(id: string): Promise<void> {
    return this.desk.endSession(hashOf(id));
  }

  private sessionOf(id: string, record: SignInRecord): Session | undefined {
    const viewer = viewerOf(record);
    return viewer === undefined
      ? undefined
      : { id, viewer, csrf: csrfOf(id), expires: record.expires };
  }
}
