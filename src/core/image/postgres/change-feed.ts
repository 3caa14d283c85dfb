/**
 * Cache coherence between processes over one PostgreSQL image. Every commit NOTIFYs the
 * objects it wrote (PostgreSQL delivers notifications only once committed, in commit order);
 * each process LISTENs and drops those objects from its cache. Before each send a round trip
 * on the listening connection acts as a fence: a notification committed before it is
 * delivered before its answer, so the send reads everything committed before it began.
 *
 * The connection runs one query at a time (pg 9 drops the queueing that overlapping queries
 * relied on): sends that refresh while a fence is out share the next one, which begins after
 * them, so side by side sends cost one round trip between them, not one each.
 */
import pg from 'pg';
import type { Oid } from '../../model/value.ts';
import type { Invalidation } from '../store.ts';
import { translatePgError } from './errors.ts';

/** The channel every BAT OS process over the image listens on. */
export const CHANGES_CHANNEL = 'batos_image_changes';
/** NOTIFY payloads are limited to 8,000 bytes: beyond this, say "everything". */
const MAX_LISTED_BYTES = 7_000;

/**
 * The payload of one commit's notification: who sent it, the next free oid it left, the
 * objects it wrote, and whose history it added to (`*`: anyone's).
 */
export function changeNotice(
  process: string,
  nextOid: Oid | undefined,
  oids: readonly Oid[] | 'all',
  author: string | 'all',
): string {
  const listed = oids === 'all' ? '*' : oids.join(',');
  const who = author === 'all' ? '*' : encodeURIComponent(author);
  return `${process} ${nextOid ?? '-'} ${listed.length > MAX_LISTED_BYTES ? '*' : listed} ${who}`;
}

/** What other processes committed: the objects, and whose history totals changed. */
export interface FeedChanges extends Invalidation {
  readonly authors: readonly string[] | 'all';
}

const nothing = () => {};

export class ChangeFeed {
  private client: pg.Client | undefined;
  /** The connection being made: sends that refresh meanwhile wait for it, not make another. */
  private connecting: Promise<void> | undefined;
  private changed = new Set<Oid>();
  private authors = new Set<string>();
  private everything = false;
  private nextOid: Oid | undefined;
  /** The fence on the connection now, if any. */
  private fence: Promise<FeedChanges> | undefined;
  /** The next fence, shared by every refresh that came while `fence` was out. */
  private queued: Promise<FeedChanges> | undefined;

  constructor(
    private readonly url: string,
    private readonly location: string,
    /** This process's id in notices: its own commits are already in its cache. */
    private readonly process: string,
  ) {}

  /**
   * What other processes committed before this call, and since the last fence (everything,
   * after a reconnect). Callers that share a fence get the same answer.
   */
  refresh(): Promise<FeedChanges> {
    if (this.fence === undefined) return this.startFence();
    // The fence out began before this call and may miss what committed just before it.
    this.queued ??= this.fence.then(nothing, nothing).then(() => {
      this.queued = undefined;
      return this.startFence();
    });
    return this.queued;
  }

  private startFence(): Promise<FeedChanges> {
    const fence = this.roundTrip().then(() => this.take());
    this.fence = fence;
    const done = () => {
      if (this.fence === fence) this.fence = undefined;
    };
    fence.then(done, done);
    return fence;
  }

  private async roundTrip(): Promise<void> {
    try {
      if (this.client === undefined)
        await (this.connecting ??= this.connect().finally(() => (this.connecting = undefined)));
      else await this.client.query('SELECT 1');
    } catch (error) {
      this.drop();
      throw translatePgError(this.location, error);
    }
  }

  /** What was noted since the last fence, forgotten here. */
  private take(): FeedChanges {
    const result: FeedChanges = {
      oids: this.everything ? 'all' : [...this.changed],
      authors: this.everything ? 'all' : [...this.authors],
      ...(this.nextOid === undefined ? {} : { nextOid: this.nextOid }),
    };
    this.changed = new Set();
    this.authors = new Set();
    this.everything = false;
    this.nextOid = undefined;
    return result;
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    client.on('notification', (notice) => {
      if (notice.channel === CHANGES_CHANNEL) this.note(notice.payload ?? '*');
    });
    let next: string | undefined;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      const { rows } = await client.query<{ value: string }>(
        `SELECT value FROM meta WHERE key = 'next_oid'`,
      );
      next = rows[0]?.value;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    // Whatever was committed while nobody listened is unknown: forget everything once.
    this.everything = true;
    this.raiseNextOid(Number(next ?? 0));
    this.client = client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => {});
  }

  private note(payload: string): void {
    const [process, nextOid, listed, author] = payload.split(' ');
    if (process === this.process) return;
    if (nextOid !== undefined && nextOid !== '-') this.raiseNextOid(Number(nextOid));
    if (listed === undefined || listed === '*' || author === undefined || author === '*')
      this.everything = true;
    else {
      if (listed !== '') for (const oid of listed.split(',')) this.changed.add(Number(oid));
      this.authors.add(decodeURIComponent(author));
    }
  }

  private raiseNextOid(next: Oid): void {
    if (this.nextOid === undefined || next > this.nextOid) this.nextOid = next;
  }
}
