/**
 * Signing in to the image browser from chat: `browse` answers a one-time link — an HMAC-signed
 * token naming the chat identity that asked, good for a few minutes and once — and opening
 * it starts a session for that identity. Links and sessions live in this process only: a
 * restart signs everyone out (the key is made afresh), which is safe and costs one `browse`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { BrowseDesk } from '../../core/bot/bot.ts';
import { InternalError } from '../../core/errors.ts';
import type { Platform, Send, Sender } from '../../core/protocol.ts';

/** Who a browser session speaks for: the chat identity that asked for the link. */
export interface Viewer {
  readonly platform: Platform;
  readonly sender: Sender;
  /** The DM (or console) the link was asked in: the viewer's sends come from there. */
  readonly channel: string;
}

/** A signed-in browser. */
export interface Session {
  readonly id: string;
  readonly viewer: Viewer;
  /** Every form carries it; a POST without it is refused (CSRF). */
  readonly csrf: string;
  readonly expires: number;
}

/** Why a link does not sign in, in words for the page. */
export type LinkRefusal = 'malformed' | 'expired' | 'used';

interface LinkClaims {
  readonly viewer: Viewer;
  readonly expires: number;
  readonly nonce: string;
}

export interface SignInOptions {
  readonly linkMinutes: number;
  readonly sessionHours: number;
  /** The clock, in ms (tests move it). */
  readonly now?: () => number;
}

const randomId = (): string => randomBytes(32).toString('base64url');

/** The sign-in links and sessions of one browser. */
export class SignIns implements BrowseDesk {
  private readonly key = randomBytes(32);
  /** Nonces of links already used, until they would have expired anyway. */
  private readonly used = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;
  private baseUrl: string | undefined;

  constructor(private readonly options: SignInOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Where links point, once the browser listens (its public address). */
  listening(baseUrl: string): void {
    this.baseUrl = baseUrl.replace(/\/+$/u, '');
  }

  /** A one-time sign-in link for the sender of `send`. */
  link(send: Send): { url: string; minutes: number } {
    // start.ts starts the browser before any front end that could ask.
    if (this.baseUrl === undefined)
      throw new InternalError('a browse link was asked before the browser listened');
    const claims: LinkClaims = {
      viewer: { platform: send.platform, sender: send.sender, channel: send.channel },
      expires: this.now() + this.options.linkMinutes * 60_000,
      nonce: randomId(),
    };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const token = `${body}.${this.sign(body)}`;
    return { url: `${this.baseUrl}/signin?t=${token}`, minutes: this.options.linkMinutes };
  }

  /** What `token` would sign in as, without using it; or why it would not. */
  check(token: string): { viewer: Viewer } | { refused: LinkRefusal } {
    const claims = this.verify(token);
    if (claims === undefined) return { refused: 'malformed' };
    if (this.used.has(claims.nonce)) return { refused: 'used' };
    if (claims.expires <= this.now()) return { refused: 'expired' };
    return { viewer: claims.viewer };
  }

  /** Uses `token` once: a new session for its viewer, or why not. */
  redeem(token: string): { session: Session } | { refused: LinkRefusal } {
    const checked = this.check(token);
    if ('refused' in checked) return checked;
    const claims = this.verify(token)!;
    const now = this.now();
    for (const [nonce, expires] of this.used) if (expires <= now) this.used.delete(nonce);
    this.used.set(claims.nonce, claims.expires);
    const session: Session = {
      id: randomId(),
      viewer: checked.viewer,
      csrf: randomId(),
      expires: now + this.options.sessionHours * 3_600_000,
    };
    this.sessions.set(session.id, session);
    return { session };
  }

  /** The live session `id` names, if any (an expired one is forgotten). */
  session(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expires > this.now()) return session;
    this.sessions.delete(id);
    return undefined;
  }

  /** Ends one session (the page's sign-out). */
  end(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of `principal` (`browse logout`); how many there were. */
  logout(principal: string): number {
    let ended = 0;
    for (const [id, session] of this.sessions)
      if (`${session.viewer.platform}:${session.viewer.sender.id}` === principal) {
        this.sessions.delete(id);
        ended += 1;
      }
    return ended;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** The claims of a token signed here, or undefined for anything else. */
  private verify(token: string): LinkClaims | undefined {
    const [body, signature, ...rest] = token.split('.');
    if (body === undefined || signature === undefined || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
    } catch {
      return undefined;
    }
  }
}
