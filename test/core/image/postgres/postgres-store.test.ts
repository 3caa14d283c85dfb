import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageError } from '../../../../src/core/errors.ts';
import { historyDay } from '../../../../src/core/image/history.ts';
import { Image, type CommittedChange } from '../../../../src/core/image/index.ts';
import { SOLE_LOCK } from '../../../../src/core/image/postgres/change-feed.ts';
import type { Slot, Value } from '../../../../src/core/model/value.ts';
import { SENDS_AT_ONCE } from '../../../../src/core/uvm/send-gate.ts';
import { freshPostgresDatabase } from '../../../support/images.ts';
import { tempDir } from '../../../support/temp.ts';

const v = (value: Value): Slot => ({ kind: 'value', value });
const who = { who: 'console:test', platform: 'console' };

const opened: Image[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((image) => image.close()));
});

/** Two images over one database, as two BAT OS processes would hold it. */
async function twoProcesses(): Promise<[Image, Image, string]> {
  const url = await freshPostgresDatabase();
  const first = await Image.open(url);
  const second = await Image.open(url);
  opened.push(first, second);
  const tx = first.begin(who);
  tx.create([['n', v(0)]]);
  tx.create([['n', v(0)]]);
  await first.commit(tx);
  await second.refresh();
  return [first, second, url];
}

/** One image over a fresh database, holding object 0, alone over it after its fence. */
async function aloneWithOneObject(): Promise<{ url: string; first: Image }> {
  const url = await freshPostgresDatabase();
  const first = await Image.open(url);
  opened.push(first);
  const seeding = first.begin(who);
  seeding.create([['n', v(0)]]);
  await first.commit(seeding);
  await first.refresh();
  return { url, first };
}

/** Server sessions open on the database at `url`, besides the one asking. */
async function sessions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** How many sessions hold the image alone (the `sole` advisory lock, exclusively). */
async function holdingAlone(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM pg_locks
       WHERE locktype = 'advisory' AND mode = 'ExclusiveLock' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND classid = $1::oid AND objid = $2::oid`,
      [...SOLE_LOCK],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/**
 * A session that LISTENs on the image's change channel, as a process would, without being
 * one: `heardUpTo` answers the payloads heard since it was last asked (processes' hellos
 * left out) up to a marker it sends now, which arrives after every notice committed before it.
 */
async function listening(url: string): Promise<{
  client: pg.Client;
  /** Resolves once a process said it opens the image. */
  hello: Promise<void>;
  heardUpTo: () => Promise<string[]>;
  end: () => Promise<void>;
}> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const heard: string[] = [];
  let marker: (() => void) | undefined;
  let helloHeard: () => void = () => {};
  const hello = new Promise<void>((resolve) => (helloHeard = resolve));
  client.on('notification', (notice) => {
    if (notice.payload?.endsWith(' hello')) helloHeard();
    if (notice.payload === 'marker') marker?.();
    else heard.push(notice.payload ?? '');
  });
  await client.query('LISTEN batos_image_changes');
  return {
    client,
    hello,
    heardUpTo: async () => {
      const arrived = new Promise<void>((resolve) => (marker = resolve));
      await client.query(`SELECT pg_notify('batos_image_changes', 'marker')`);
      await arrived;
      return heard.splice(0).filter((payload) => !payload.endsWith(' hello'));
    },
    end: () => client.end(),
  };
}

/**
 * `first`'s commit of `tx`, made while it is alone over the image, held in the server by a
 * row lock (`lock`, a SELECT … FOR UPDATE) while a second process opens the image; `whileHeld`
 * runs once the second has said it opens. The lock goes however the test goes, so nothing is
 * left hanging. Resolves with the second image, once the commit is done and it has joined.
 */
async function joinWhileCommitHeld(
  url: string,
  first: Image,
  tx: ReturnType<Image['begin']>,
  lock: string,
  whileHeld: (listener: Awaited<ReturnType<typeof listening>>) => Promise<void> = async () => {},
): Promise<Image> {
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  let opening: Promise<Image> | undefined;
  let committing: Promise<unknown> | undefined;
  try {
    await blocker.query('BEGIN');
    await blocker.query(lock);
    committing = first.commit(tx);
    committing.catch(() => {}); // awaited below; a failure must not go unhandled first
    await until(url, `SELECT count(*)::integer AS n FROM pg_locks WHERE NOT granted`);
    const listener = await listening(url);
    opening = Image.open(url);
    opening.catch(() => {});
    await listener.hello;
    await whileHeld(listener);
    await listener.end();
  } finally {
    await blocker.end();
  }
  await committing;
  const second = await opening;
  opened.push(second);
  return second;
}

/** Waits until `query` (which answers a count `n`) finds at least one. */
async function until(url: string, query: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let tries = 0; tries < 500; tries += 1) {
      const { rows } = await client.query<{ n: number }>(query);
      if (rows[0]!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`never found: ${query}`);
  } finally {
    await client.end();
  }
}

/** Runs `work` and returns the process warnings it raised. */
async function warningsOf(work: () => Promise<unknown>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

async function failure(work: Promise<unknown>): Promise<ImageError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  return error as ImageError;
}

describe('PostgreSQL image shared by several processes', () => {
  it('shows each process what another committed at its next refresh', async () => {
    const [first, second] = await twoProcesses();
    expect(second.read(0)!.get('n')).toEqual(v(0));
    const tx = first.begin(who);
    tx.setSlot(0, 'n', v(1));
    await first.commit(tx);
    // Cached before, fresh after the refresh every send starts with.
    expect(second.read(0)!.get('n')).toEqual(v(0));
    await second.refresh();
    expect(second.read(0)!.get('n')).toEqual(v(1));
  });

  it("tells one process's watchers what another commits, as soon as its notice arrives", async () => {
    const [first, second] = await twoProcesses();
    const heard: CommittedChange[] = [];
    const told = new Promise<void>((resolve) => {
      second.watch((change) => {
        heard.push(change);
        resolve();
      });
    });
    const tx = first.begin(who);
    tx.setSlot(1, 'n', v(7));
    await first.commit(tx);
    // No refresh or send in the second: the notice alone wakes its watchers.
    await told;
    expect(heard).toEqual([{ oids: [1] }]);
    await second.refresh();
    expect(second.read(1)!.get('n')).toEqual(v(7));
  });

  it('serves refreshes side by side with one query at a time on its listening connection', async () => {
    const [first, second] = await twoProcesses();
    const warnings = await warningsOf(async () => {
      expect(second.read(1)!.get('n')).toEqual(v(0));
      for (let round = 1; round <= 3; round++) {
        const tx = first.begin(who);
        tx.setSlot(1, 'n', v(round));
        await first.commit(tx);
        // Twenty sends refreshing at once: each sees what committed before it began.
        await Promise.all(Array.from({ length: 20 }, () => second.refresh()));
        expect(second.read(1)!.get('n')).toEqual(v(round));
      }
    });
    expect(warnings.filter((w) => /already executing a query/u.test(w))).toEqual([]);
  });

  it('commits many sends at once over no more connections than the send gate admits, one query per connection', async () => {
    const url = await freshPostgresDatabase();
    const image = await Image.open(url);
    opened.push(image);
    const seeding = image.begin(who);
    const oids = Array.from({ length: 3 * SENDS_AT_ONCE }, () => seeding.create([['n', v(0)]]));
    await image.commit(seeding);
    const idle = await sessions(url);
    const warnings = await warningsOf(() =>
      Promise.all(
        oids.map(async (oid) => {
          const tx = image.begin(who);
          tx.setSlot(oid, 'n', v(oid + 1));
          return image.commit(tx);
        }),
      ),
    );
    expect(warnings.filter((w) => /already executing a query/u.test(w))).toEqual([]);
    // Commits ready together share a statement, so no more connections than sends the gate
    // lets run at once (the pool keeps the connections it opened, so they are still there to
    // count)...
    expect((await sessions(url)) - idle).toBeLessThanOrEqual(SENDS_AT_ONCE);
    // ...and every commit landed, each in a transaction of its own.
    expect(await image.history({ limit: 100 })).toHaveLength(oids.length + 1);
    const reopened = await Image.open(url);
    opened.push(reopened);
    for (const oid of oids) expect(reopened.read(oid)!.get('n')).toEqual(v(oid + 1));
  });

  it("counts another process's commits in the day's history budget after a refresh", async () => {
    const [first, second, url] = await twoProcesses();
    const before = second.historyBytesToday(who.who);
    expect(before).toBeGreaterThan(0);
    const tx = first.begin(who);
    tx.setSlot(0, 'n', v('a value that adds to the history'));
    await first.commit(tx);
    await second.refresh();
    const after = second.historyBytesToday(who.who);
    expect(after).toBeGreaterThan(before);
    expect(first.historyBytesToday(who.who)).toBe(after);
    const third = await Image.open(url);
    opened.push(third);
    expect(third.historyBytesToday(who.who)).toBe(after);
  });

  it("keeps the day's history total another process's commit reported, and reads one reported without it", async () => {
    const [first, second, url] = await twoProcesses();
    const listener = await listening(url);
    const today = historyDay(new Date().toISOString());
    const addToHistory = async (value: string) => {
      const tx = first.begin(who);
      tx.setSlot(0, 'n', v(value));
      await first.commit(tx);
      return first.historyBytesToday(who.who);
    };
    // The notice ends with the author's day and total, as the commit statement left them.
    const reported = await addToHistory('a value that adds to the history');
    const [notice] = (await listener.heardUpTo()).filter((n) => n.includes('console%3Atest'));
    expect(notice?.split(' ').slice(-2)).toEqual([today, String(reported)]);
    await second.refresh(); // past the listener's own marker, which says "everything"
    const total = await addToHistory('another value');
    // Behind every process's back, so a total read afresh differs from the one reported.
    const admin = listener.client;
    await admin.query(`UPDATE history_days SET added = added + 1000 WHERE who = $1 AND day = $2`, [
      who.who,
      today,
    ]);
    await second.refresh();
    expect(second.historyBytesToday(who.who)).toBe(total);
    // A notice that names the author but no total (a commit that is not a send's) makes the
    // others read it again.
    await admin.query(`SELECT pg_notify('batos_image_changes', $1)`, [
      `another-process - 0 ${encodeURIComponent(who.who)}`,
    ]);
    await second.refresh();
    expect(second.historyBytesToday(who.who)).toBe(total + 1000);
    await listener.end();
  });

  it('needs no fence while alone over the image, and lets go for a process that joins', async () => {
    const { url, first } = await aloneWithOneObject(); // its fence found nobody else there
    expect(await holdingAlone(url)).toBe(1);
    const second = await Image.open(url); // says so, and waits until the first lets go
    expect(await holdingAlone(url)).toBe(0);
    const tx = second.begin(who);
    tx.setSlot(0, 'n', v('second'));
    await second.commit(tx);
    await first.refresh();
    expect(first.read(0)!.get('n')).toEqual(v('second'));
    const back = first.begin(who);
    back.setSlot(0, 'n', v('first'));
    await first.commit(back);
    await second.refresh();
    expect(second.read(0)!.get('n')).toEqual(v('first'));
    // Once the other has gone, the next fence finds the first alone again.
    await second.close();
    await first.refresh();
    expect(await holdingAlone(url)).toBe(1);
  });

  it('sends no change notices while alone, which nobody could hear, and sends them once another joins', async () => {
    const { url, first } = await aloneWithOneObject();
    const listener = await listening(url);
    try {
      const quiet = first.begin(who);
      quiet.setSlot(0, 'n', v('alone'));
      await first.commit(quiet);
      expect(await listener.heardUpTo()).toEqual([]);
      const second = await Image.open(url);
      opened.push(second);
      const heard = first.begin(who);
      heard.setSlot(0, 'n', v('not alone'));
      await first.commit(heard);
      expect(await listener.heardUpTo()).toEqual([
        expect.stringMatching(/ 0 console%3Atest \d{4}-\d\d-\d\d \d+$/u),
      ]);
    } finally {
      await listener.end();
    }
  });

  it('lets a process join only once the commits it made alone, without notices, are done', async () => {
    const { url, first } = await aloneWithOneObject();
    // A row lock holds the first's next commit, made alone, up in the server.
    const silent = first.begin(who);
    silent.setSlot(0, 'n', v('made alone'));
    const lock = 'SELECT oid FROM objects WHERE oid = 0 FOR UPDATE';
    const second = await joinWhileCommitHeld(url, first, silent, lock, async (listener) => {
      // The first hears the second's hello (the marker, sent after it, comes after it).
      const marked = new Promise<void>((resolve) =>
        first.watch(
          (change) => change.oids !== 'all' && change.oids.includes(999_999) && resolve(),
        ),
      );
      await listener.client.query(
        `SELECT pg_notify('batos_image_changes', 'marker - 999999 test')`,
      );
      await marked;
      // The first let go, but keeps the image until its commit made alone is done.
      expect(await holdingAlone(url)).toBe(1);
    });
    await second.refresh();
    expect(second.read(0)!.get('n')).toEqual(v('made alone'));
    // From now on the first's commits reach the second.
    const next = first.begin(who);
    next.setSlot(0, 'n', v('told'));
    await first.commit(next);
    await second.refresh();
    expect(second.read(0)!.get('n')).toEqual(v('told'));
  });

  it('gives a process that joins the next free oid of objects created alone while it waited', async () => {
    const url = await freshPostgresDatabase();
    const first = await Image.open(url);
    opened.push(first);
    await first.refresh(); // alone from here
    // A lock on the next free oid holds the first's creation, made alone, in the server,
    // while the second reads the next free oid, then waits to join.
    const making = first.begin(who);
    const alone = making.create([['n', v('made alone')]]);
    const lock = `SELECT value FROM meta WHERE key = 'next_oid' FOR UPDATE`;
    const second = await joinWhileCommitHeld(url, first, making, lock);
    // Its first refresh tells it the oid the first took, so its own creation does not collide.
    await second.refresh();
    const next = second.begin(who);
    const oid = next.create([['n', v('made after')]]);
    await second.commit(next);
    await first.refresh();
    expect(oid).toBeGreaterThan(alone);
    expect(first.read(oid)!.get('n')).toEqual(v('made after'));
    expect(first.read(alone)!.get('n')).toEqual(v('made alone'));
  });

  it('refuses a commit that read what another process changed since, and changes nothing', async () => {
    const [first, second] = await twoProcesses();
    const stale = second.begin(who);
    stale.setSlot(0, 'n', v('second'));
    const winner = first.begin(who);
    winner.setSlot(0, 'n', v('first'));
    await first.commit(winner);
    const error = await failure(second.commit(stale));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/#0 changed in another process/);
    await second.refresh();
    expect(second.read(0)!.get('n')).toEqual(v('first'));
    expect(await second.history()).toHaveLength(2);
  });

  it('refuses a commit whose reads went stale even when it wrote elsewhere (no write skew)', async () => {
    const [first, second] = await twoProcesses();
    // Each reads one object and writes the other, as two sends checking a shared rule would.
    const a = first.begin(who);
    a.setSlot(1, 'copy', a.getSlot(0, 'n')!);
    const b = second.begin(who);
    b.setSlot(0, 'copy', b.getSlot(1, 'n')!);
    b.setSlot(1, 'n', v(5));
    await second.commit(b);
    expect((await failure(first.commit(a))).code).toBe('conflict');
  });

  it('gives objects created at once in two processes different oids', async () => {
    const [first, second] = await twoProcesses();
    const a = first.begin(who);
    const oidA = a.create([['who', v('first')]]);
    const b = second.begin(who);
    const oidB = b.create([['who', v('second')]]);
    expect(oidA).toBe(oidB);
    await first.commit(a);
    expect((await failure(second.commit(b))).code).toBe('conflict');
    await second.refresh();
    const again = second.begin(who);
    const retried = again.create([['who', v('second')]]);
    await second.commit(again);
    expect(retried).toBe(oidA + 1);
    expect(first.read(oidA)!.get('who')).toEqual(v('first'));
    expect(second.read(retried)!.get('who')).toEqual(v('second'));
    expect(second.countObjects()).toBe(4);
  });

  it('lets only one process at a time hold the claim to write a method', async () => {
    const [first, second] = await twoProcesses();
    const held = await first.claim('0:greet:write');
    expect(held.waited).toBe(false);
    let secondHasIt = false;
    const waiting = second.claim('0:greet:write').then((claim) => {
      secondHasIt = true;
      return claim;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondHasIt).toBe(false);
    await held.release();
    const claim = await waiting;
    expect(claim.waited).toBe(true);
    await claim.release();
    const other = await first.claim('0:other:write');
    expect(other.waited).toBe(false);
    await other.release();
  });

  it('backs up with pg_dump to a file pg_restore brings back as the same image', async () => {
    const [first] = await twoProcesses();
    const file = join(tempDir(), 'backups', 'image.dump');
    await first.backup(file);
    // Every message is in the dump: only the bot's own account may read it, or its folder.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    const restored = await freshPostgresDatabase();
    execFileSync('pg_restore', ['--no-owner', `--dbname=${restored}`, file]);
    const copy = await Image.open(restored);
    opened.push(copy);
    expect(copy.countObjects()).toBe(2);
    expect(copy.read(1)!.get('n')).toEqual(v(0));
    expect(copy.integrityCheck()).toBe('ok');
    expect(await copy.history()).toHaveLength(1);
  });

  it('says clearly when the database cannot be reached, without the password', async () => {
    const error = await failure(Image.open('postgres://batos:s3cret-pw@127.0.0.1:9/batos'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/cannot be reached/);
    expect(error.message).toContain('postgres://batos:***@127.0.0.1:9/batos');
    expect(error.message).not.toContain('s3cret-pw');
  });
});
