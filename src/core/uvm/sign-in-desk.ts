/**
 * Who may do what with the image browser's sign-ins (kept in the image by `SignInBook`): a
 * link is only ever offered for the caller who asked, a session only ever opens for the
 * person its link named, and ending sessions is for their person or an admin. The browser
 * hands in hashes of its tokens, never the tokens.
 */
import { SendError } from '../errors.ts';
import type { LinkRefusal, SignInBook, SignInRecord } from '../image/index.ts';
import type { Caller } from '../access/principal.ts';
import type { Principal } from '../model/principal.ts';

export type { LinkRefusal, SignInRecord };

export class SignInDesk {
  constructor(
    private readonly book: SignInBook,
    /** Refuses once the UVM is closing. */
    private readonly assertOpen: () => void,
  ) {}

  /** Keeps a one-time link that signs in as `caller` (never anyone else) until `expires`. */
  offerLink(
    caller: Caller,
    tokenHash: string,
    identity: string,
    expires: number,
    now: number,
  ): Promise<void> {
    this.assertOpen();
    return this.book.addLink(tokenHash, { principal: caller.principal, identity, expires }, now);
  }

  /** Whom a link would sign in as, without using it (a link preview); or why not. */
  lookUpLink(
    tokenHash: string,
    now: number,
  ): Promise<{ record: SignInRecord } | { refused: LinkRefusal }> {
    this.assertOpen();
    return this.book.lookUpLink(tokenHash, now);
  }

  /**
   * Uses a link once — in any process over the image, only the first use counts — and opens
   * a session for the person it named, until `expires`.
   */
  async redeem(
    linkHash: string,
    sessionHash: string,
    expires: number,
    now: number,
  ): Promise<{ record: SignInRecord } | { refused: LinkRefusal }> {
    this.assertOpen();
    const used = await this.book.useLink(linkHash, now);
    if ('refused' in used) return used;
    const record = { ...used.record, expires };
    await this.book.addSession(sessionHash, record);
    return { record };
  }

  /** The live session the hash names, if any. */
  session(tokenHash: string, now: number): Promise<SignInRecord | undefined> {
    this.assertOpen();
    return this.book.session(tokenHash, now);
  }

  /** Ends the one session whose cookie the browser holds (its sign-out). */
  endSession(tokenHash: string): Promise<void> {
    this.assertOpen();
    return this.book.endSession(tokenHash);
  }

  /**
   * Ends every browser session of `principal`, in every process: the caller's own, or, for
   * an admin, anyone's. Returns how many were live.
   */
  logout(caller: Caller, principal: Principal, now: number): Promise<number> {
    this.assertOpen();
    if (principal !== caller.principal && !caller.admin)
      throw new SendError(
        'not-allowed',
        "Only admins may end someone else's browser sessions; `browse logout` ends yours. Nothing was done.",
      );
    return this.book.endSessions(principal, now);
  }
}
