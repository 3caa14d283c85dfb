/**
 * The image browser's sign-ins, kept in the image (migration 0009) so that a restart or an
 * upgrade signs nobody out and every process over the image agrees on them: one-time links
 * (a link used in one process is used in all) and sessions (`browse logout` ends them
 * everywhere). Only SHA-256 hashes of the tokens are stored: whoever reads the database, or a
 * backup of it, learns no link or cookie that signs in. The UVM's `SignInDesk` decides who
 * may do what with them; this book only keeps the rows.
 */
import type { Kysely } from 'kysely';
import type { Principal } from '../model/principal.ts';
import type { ImageSchema } from './schema.ts';

/** A link's or a session's record: whom it signs in as, and until when. */
export interface SignInRecord {
  readonly principal: Principal;
  /** The browser's own record of the identity (JSON), handed back as given. */
  readonly identity: string;
  /** When it expires, in ms since the epoch. */
  readonly expires: number;
}

/** Why a link does not sign in: no such link (or altered, or long gone), expired, used. */
export type LinkRefusal = 'malformed' | 'expired' | 'used';

/** A used or expired link is kept this long, so a second try hears why, then forgotten. */
const LINK_MEMORY_MS = 24 * 3_600_000;

const iso = (ms: number): string => new Date(ms).toISOString();

const recordOf = (row: { principal: string; identity: string; expires: string }): SignInRecord => ({
  principal: row.principal,
  identity: row.identity,
  expires: Date.parse(row.expires),
});

export class SignInBook {
  constructor(private readonly db: Kysely<ImageSchema>) {}

  /** Keeps a new link, by its token's hash; forgets links and sessions long expired. */
  async addLink(tokenHash: string, record: SignInRecord, now: number): Promise<void> {
    await this.forgetOld(now);
    await this.db
      .insertInto('browser_links')
      .values({
        token_hash: tokenHash,
        principal: record.principal,
        identity: record.identity,
        expires: iso(record.expires),
        used_at: null,
      })
      .execute();
  }

  /** Whom the link would sign in as, without using it; or why it would not. */
  async lookUpLink(
    tokenHash: string,
    now: number,
  ): Promise<{ record: SignInRecord } | { refused: LinkRefusal }> {
    const row = await this.db
      .selectFrom('browser_links')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (row === undefined) return { refused: 'malformed' };
    if (row.used_at !== null) return { refused: 'used' };
    const record = recordOf(row);
    if (record.expires <= now) return { refused: 'expired' };
    return { record };
  }

  /**
   * Uses the link once, in one statement, so two processes (or two clicks) cannot both use
   * it: whom it signs in as, or why not.
   */
  async useLink(
    tokenHash: string,
    now: number,
  ): Promise<{ record: SignInRecord } | { refused: LinkRefusal }> {
    const row = await this.db
      .updateTable('browser_links')
      .set({ used_at: iso(now) })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires', '>', iso(now))
      .returning(['principal', 'identity', 'expires'])
      .executeTakeFirst();
    if (row === undefined) return this.lookUpLink(tokenHash, now);
    return { record: recordOf(row) };
  }

  /** Keeps a new session, by its cookie's hash. */
  async addSession(tokenHash: string, record: SignInRecord): Promise<void> {
    await this.db
      .insertInto('browser_sessions')
      .values({
        token_hash: tokenHash,
        principal: record.principal,
        identity: record.identity,
        expires: iso(record.expires),
      })
      .execute();
  }

  /** The live session the hash names, if any. */
  async session(tokenHash: string, now: number): Promise<SignInRecord | undefined> {
    const row = await this.db
      .selectFrom('browser_sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('expires', '>', iso(now))
      .executeTakeFirst();
    return row === undefined ? undefined : recordOf(row);
  }

  /** Ends one session. */
  async endSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('browser_sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Ends every session of `principal`; how many there were (live ones). */
  async endSessions(principal: Principal, now: number): Promise<number> {
    const ended = await this.db
      .deleteFrom('browser_sessions')
      .where('principal', '=', principal)
      .returning('expires')
      .execute();
    return ended.filter((row) => Date.parse(row.expires) > now).length;
  }

  private async forgetOld(now: number): Promise<void> {
    await this.db
      .deleteFrom('browser_links')
      .where('expires', '<', iso(now - LINK_MEMORY_MS))
      .execute();
    await this.db.deleteFrom('browser_sessions').where('expires', '<=', iso(now)).execute();
  }
}
