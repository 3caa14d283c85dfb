/**
 * Cache coherence between processes over one PostgreSQL image. Every commit NOTIFYs the
 * objects it wrote (PostgreSQL delivers notifications only once committed, in commit order);
 * each process LISTENs and drops those objects from its cache. Before each send a round trip
 * on the listening connection acts as a fence: a notification committed before it is
 * delivered before its answer, so the send reads everything committed before it began.
 *
 * A process alone over the image needs no fence. Every process holds the `sole` advisory lock
 * in shared mode on its listening session while it is there, and every commit of a process
 * that is not alone holds it in shared mode too (`batos_check_commits`). Each fence also tries
 * to take it exclusively: once that succeeds no other process is there or committing, and
 * none can commit until this one lets go, so the feed is current without asking, and a refresh
 * costs nothing. A process that opens the image says so on the channel first, then waits for
 * its shared hold, saying so again each second; the one alone lets go when it hears that, and
 * fences again.
 *
 * Nobody hears a process alone, so its commits send no notices (see {@link ChangeFeed.committing}).
 * When it lets go, its commits from then on notify, and it unlocks only once the silent ones
 * still out are done: the newcomer's shared hold follows every one of them, and it forgets
 * its whole cache as it joins, so it misses none. (Only a lost listening session lets go
 * at once; the silent commits still out then notify after the fact.)
 *
 * The connection runs one query at a time (pg 9 drops the queueing that overlapping queries
 * relied on): its queries wait in line, and sends that refresh while a fence is out share the
 * next one, which begins after them, so side by side sends cost one round trip between them.
 */
import pg from 'pg';
import { ImageError } from '../../errors.ts';
import type { Oid } from '../../model/value.ts';
import type { Invalidation } from '../store.ts';
import { translatePgError } from './errors.ts';

/** The channel every BAT OS process over the image listens on. */
export const CHANGES_CHANNEL = 'batos_image_changes';
/** NOTIFY payloads are limited to 8,000 bytes: beyond this, say "everything". */
const MAX_LISTED_BYTES = 7_000;
/** The advisory lock a process holds exclusively while alone over the image (see above). */
export const SOLE_LOCK = [0x42_41_54, 0x534f_4c45] as const;
/** What a process opening the image announces, in place of a next free oid. */
const HELLO = 'hello';
/** How long a process opening the image waits for one alone over it to let go. */
const JOIN_TIMEOUT_MS = 10_000;
/**
 * How long each of its waits lasts before it says again that it opened: the one alone may
 * have taken the lock between the first hello and this one's shared hold, when letting go
 * on hearing it did nothing.
 */
const HELLO_AGAIN_MS = 1_000;
/** PostgreSQL's SQLSTATE for a lock wait past `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The payload of one commit's notification: who sent it, the next free oid it left, the
 * objects it wrote, and whose history it added to (`*`: anyone's). A send's commit statement
 * appends the day and the author's history total for it (`write-commit.ts`).
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

/** An author's history total for a day, as another process's commit left it. */
export interface HistoryTotal {
  readonly who: string;
  readonly day: string;
  readonly added: number;
}

/**
 * What other processes committed: the objects, the history totals their commits reported,
 * and the authors whose totals changed without one.
 */
export interface FeedChanges extends Invalidation {
  readonly totals: readonly HistoryTotal[];
  readonly authors: readonly string[] | 'all';
}

const nothing = () => {};

export class ChangeFeed {
  private client: pg.Client | undefined;
  /** The connection being made: sends that refresh meanwhile wait for it, not make another. */
  private connecting: Promise<void> | undefined;
  private changed = new Set<Oid>();
  private authors = new Set<string>();
  private totals: HistoryTotal[] = [];
  private everything = false;
  private nextOid: Oid | undefined;
  /** The fence on the connection now, if any. */
  private fence: Promise<FeedChanges> | undefined;
  /** The next fence, shared by every refresh that came while `fence` was out. */
  private queued: Promise<FeedChanges> | undefined;
  /** The listening connection's queries, one after another. */
  private line: Promise<unknown> = Promise.resolve();
  /** Whether this process holds the `sole` lock exclusively: nobody else can commit. */
  private sole = false;
  /** How many processes said they opened the image, so a fence can tell one came meanwhile. */
  private hellos = 0;
  /** Commits made while alone, without notices, not yet done (see {@link committing}). */
  private silent = 0;
  /** Who waits for {@link silent} to reach none (letting go). */
  private silenceWaiters: (() => void)[] = [];
  /** Who hears of other processes' commits as their notices arrive (live pages). */
  private readonly hearers = new Set<(oids: readonly Oid[] | 'all') => void>();

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
    if (this.sole) return Promise.resolve(this.take());
    if (this.fence === undefined) return this.startFence();
    // The fence out began before this call and may miss what committed just before it.
    this.queued ??= this.fence.then(nothing, nothing).then(() => {
      this.queued = undefined;
      return this.startFence();
    });
    return this.queued;
  }

  /**
   * Joins the processes over the image (connects, waiting for one alone to let go), leaving
   * what joining learned — forget everything, and the next free oid read once in — for the
   * first {@link refresh}: the one alone may have created objects, without notices, while
   * this one waited.
   */
  join(): Promise<void> {
    return this.roundTrip();
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

  /**
   * `hearer` hears which objects each commit of another process wrote, as soon as its notice
   * arrives (`'all'` when the notice could not list them). It must not throw, nor wait on
   * the image: it learns only that something changed, and reads it again through a refresh.
   * Returns what stops it.
   */
  hear(hearer: (oids: readonly Oid[] | 'all') => void): () => void {
    this.hearers.add(hearer);
    return () => this.hearers.delete(hearer);
  }

  /**
   * Runs `commit`, told whether this process is alone over the image: if it is, the commit
   * need neither pass `sole` nor notify anyone, and letting go waits until it is done. If
   * the listening session was lost meanwhile (it lets go without waiting), `notifyLate`
   * sends the commit's notices after it, so a process that joined then drops what it wrote.
   */
  async committing<T>(
    commit: (alone: boolean) => Promise<T>,
    notifyLate: () => Promise<unknown>,
  ): Promise<T> {
    if (!this.sole) return commit(false);
    this.silent += 1;
    const session = this.client;
    try {
      return await commit(true);
    } finally {
      this.silent -= 1;
      if (this.silent === 0) for (const wake of this.silenceWaiters.splice(0)) wake();
      if (this.client !== session) await notifyLate().catch(nothing);
    }
  }

  /** Whether this process is alone over the image, so its commits need not pass `sole`. */
  get alone(): boolean {
    return this.sole;
  }

  private async roundTrip(): Promise<void> {
    try {
      if (this.client === undefined)
        await (this.connecting ??= this.connect().finally(() => (this.connecting = undefined)));
      // Alone since this fence was queued: asking again would hold the lock twice.
      else if (!this.sole) {
        const hellos = this.hellos;
        const { rows } = await this.onLine((client) =>
          client.query<{ sole: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS sole', [
            ...SOLE_LOCK,
          ]),
        );
        if (rows[0]?.sole === true) {
          this.sole = true;
          // One that opened while the fence was out waits for this process to let go.
          if (this.hellos !== hellos) this.letGo();
        }
      }
    } catch (error) {
      this.drop();
      throw translatePgError(this.location, error);
    }
  }

  /** What was noted since the last fence, forgotten here. */
  private take(): FeedChanges {
    const result: FeedChanges = {
      oids: this.everything ? 'all' : [...this.changed],
      totals: this.everything ? [] : this.totals,
      authors: this.everything ? 'all' : [...this.authors],
      ...(this.nextOid === undefined ? {} : { nextOid: this.nextOid }),
    };
    this.changed = new Set();
    this.authors = new Set();
    this.totals = [];
    this.everything = false;
    this.nextOid = undefined;
    return result;
  }

  /** Runs `query` on the listening connection once the queries before it are done. */
  private onLine<T>(query: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = this.client;
    const run = this.line.then(() => {
      if (client === undefined || client !== this.client)
        throw new Error('Connection terminated: the listening connection was dropped');
      return query(client);
    });
    this.line = run.catch(nothing);
    return run;
  }

  /**
   * Lets another process commit again: this one fences and notifies from now on, and
   * unlocks once its silent commits are done (see the module's comment).
   */
  private letGo(): void {
    if (!this.sole) return;
    this.sole = false;
    const silenced =
      this.silent === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.silenceWaiters.push(resolve));
    // Ending the session lets go too, if the unlock cannot.
    this.onLine(async (client) => {
      await silenced;
      return client.query('SELECT pg_advisory_unlock($1, $2)', [...SOLE_LOCK]);
    }).catch(() => this.drop());
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 10_000,
      // Only the wait to join (see connect's shared hold) waits for a lock on this session.
      lock_timeout: HELLO_AGAIN_MS,
    });
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
      // A process alone over the image lets go when it hears this (see above).
      for (let waited = 0; ; waited += HELLO_AGAIN_MS) {
        await client.query('SELECT pg_notify($1, $2)', [
          CHANGES_CHANNEL,
          `${this.process} ${HELLO}`,
        ]);
        try {
          await client.query('SELECT pg_advisory_lock_shared($1, $2)', [...SOLE_LOCK]);
          break;
        } catch (error) {
          const waiting = (error as { code?: string }).code === LOCK_NOT_AVAILABLE;
          if (!waiting || waited + HELLO_AGAIN_MS >= JOIN_TIMEOUT_MS) throw error;
        }
      }
      const { rows } = await client.query<{ value: string }>(
        `SELECT value FROM meta WHERE key = 'next_oid'`,
      );
      next = rows[0]?.value;
    } catch (error) {
      await client.end().catch(() => {});
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE)
        throw new ImageError(
          'unavailable',
          `Another BAT OS process over ${this.location} works alone and did not let this one join within ${JOIN_TIMEOUT_MS / 1000} s (is it stopped or hung?). Nothing was changed; try again, or restart that process.`,
          { cause: error },
        );
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
    this.sole = false;
    client?.end().catch(() => {});
  }

  private note(payload: string): void {
    const [process, nextOid, listed, author, day, added] = payload.split(' ');
    if (process === this.process) return;
    if (nextOid === HELLO) {
      this.hellos += 1;
      this.letGo();
      return;
    }
    if (nextOid !== undefined && nextOid !== '-') this.raiseNextOid(Number(nextOid));
    let oids: Oid[] | 'all' = 'all';
    if (listed === undefined || listed === '*' || author === undefined || author === '*')
      this.everything = true;
    else {
      oids = listed === '' ? [] : listed.split(',').map(Number);
      for (const oid of oids) this.changed.add(oid);
      const who = decodeURIComponent(author);
      if (day === undefined || added === undefined) this.authors.add(who);
      else this.totals.push({ who, day, added: Number(added) });
    }
    for (const hearer of this.hearers) hearer(oids);
  }

  private raiseNextOid(next: Oid): void {
    if (this.nextOid === undefined || next > this.nextOid) this.nextOid = next;
  }
}
