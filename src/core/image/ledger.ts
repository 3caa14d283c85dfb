/**
 * The front ends' ledger, kept in the image so that every process over it and every restart
 * agree: platform events already claimed, and threads the bot answers in.
 */
import type { Kysely } from 'kysely';
import type { FrontEndLedger, Platform } from '../protocol.ts';
import type { ImageSchema } from './schema.ts';

/** Longer than any platform retries an event (Slack: three retries within minutes). */
const EVENT_MEMORY_MS = 60 * 60_000;
/** Threads quiet this long need a mention again. */
const THREAD_MEMORY_MS = 90 * 24 * 60 * 60_000;
/** Forgetting runs at most this often, not on every claim. */
const FORGET_EVERY_MS = 60_000;

export class Ledger implements FrontEndLedger {
  private forgotAt = 0;

  constructor(private readonly db: Kysely<ImageSchema>) {}

  async firstDelivery(platform: Platform, eventId: string): Promise<boolean> {
    await this.forgetOld();
    const result = await this.db
      .insertInto('ledger_events')
      .values({ platform, event_id: eventId, at: new Date().toISOString() })
      .onConflict((c) => c.columns(['platform', 'event_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async rememberThread(platform: Platform, thread: string): Promise<void> {
    const at = new Date().toISOString();
    await this.db
      .insertInto('ledger_threads')
      .values({ platform, thread, at })
      .onConflict((c) => c.columns(['platform', 'thread']).doUpdateSet({ at }))
      .execute();
  }

  async answeredIn(platform: Platform, thread: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('ledger_threads')
      .select('at')
      .where('platform', '=', platform)
      .where('thread', '=', thread)
      .where('at', '>=', new Date(Date.now() - THREAD_MEMORY_MS).toISOString())
      .executeTakeFirst();
    return row !== undefined;
  }

  private async forgetOld(): Promise<void> {
    const now = Date.now();
    if (now - this.forgotAt < FORGET_EVERY_MS) return;
    this.forgotAt = now;
    await this.db
      .deleteFrom('ledger_events')
      .where('at', '<', new Date(now - EVENT_MEMORY_MS).toISOString())
      .execute();
    await this.db
      .deleteFrom('ledger_threads')
      .where('at', '<', new Date(now - THREAD_MEMORY_MS).toISOString())
      .execute();
  }
}
