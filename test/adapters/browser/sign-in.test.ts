/**
 * The browser's sign-ins kept in the image, over real cores on SQLite and PostgreSQL: a
 * session outlives a restart, a link is used once across processes, only hashes of the
 * tokens are stored, and `browse logout` in any process ends sessions everywhere.
 */
import { sql } from 'kysely';
import pg from 'pg';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SignIns } from '../../../src/adapters/browser/index.ts';
import { isPostgresLocation } from '../../../src/core/image/index.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { freshImageLocation, IMAGE_KINDS } from '../../support/images.ts';
import { encodeSlots } from '../../../src/core/image/codec.ts';
import { imageBefore, withImage } from '../../core/image/support.ts';

const ada: Partial<Send> = {
  platform: 'slack',
  sender: { id: 'ada', name: 'Ada', isAdmin: false },
  channel: 'D-ada',
  reach: 'direct',
  adminChannel: false,
};

/** A core over `location` with its browser's sign-ins (the clock moved by `clock.now`). */
async function core(location: string, clock = { now: Date.now() }) {
  let signIns: SignIns | undefined;
  const opened = await openTestCore({
    imagePath: location,
    bot: (uvm) => {
      signIns = new SignIns(uvm.signIns, {
        linkMinutes: 5,
        sessionHours: 12,
        now: () => clock.now,
      });
      signIns.listening('https://batos.test');
      return { browser: signIns };
    },
  });
  return { core: opened, signIns: signIns! };
}

/** The token of the link `browse` answers Ada with. */
async function linkToken(opened: TestCore): Promise<string> {
  const text = await opened.ok('browse', ada);
  return /\?t=([\w-]+)/u.exec(text)![1]!;
}

/** Every value stored in the sign-in tables, as one text. */
async function storedText(location: string): Promise<string> {
  const query =
    'SELECT * FROM browser_links UNION ALL SELECT * FROM browser_sessions, (SELECT NULL) AS x';
  if (isPostgresLocation(location)) {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    try {
      return JSON.stringify((await client.query(query)).rows);
    } finally {
      await client.end();
    }
  }
  const db = new Database(location, { readonly: true });
  try {
    return JSON.stringify(db.prepare(query).all());
  } finally {
    db.close();
  }
}

describe.each(IMAGE_KINDS)('browser sign-ins kept in the image on %s', (kind) => {
  it('keep a session across a restart, store only hashes of the tokens, and end it with browse logout', async () => {
    const location = await freshImageLocation(kind);
    const first = await core(location);
    const token = await linkToken(first.core);
    const redeemed = await first.signIns.redeem(token);
    if (!('session' in redeemed)) throw new Error(`refused: ${redeemed.refused}`);
    const { id, csrf } = redeemed.session;
    // BAT OS stops (the SQLite file is its alone while open); the database keeps no token.
    await first.core.close();
    const stored = await storedText(location);
    expect(stored).toContain('slack:ada');
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(id);
    expect(stored).not.toContain(csrf);

    // An upgrade restarts BAT OS: the cookie still signs Ada in, with the same CSRF token.
    const second = await core(location);
    expect(await second.signIns.session(id)).toMatchObject({
      viewer: { platform: 'slack', sender: { id: 'ada' } },
      csrf,
    });
    // And the link stays used.
    expect(await second.signIns.check(token)).toEqual({ refused: 'used' });
    expect(await second.core.ok('browse logout', ada)).toBe('Ended 1 browser session of yours.');
    expect(await second.signIns.session(id)).toBeUndefined();
  });

  it('ends a session once it expires, and refuses a link past its minutes', async () => {
    const location = await freshImageLocation(kind);
    const clock = { now: Date.now() };
    const { core: opened, signIns } = await core(location, clock);
    const late = await linkToken(opened);
    const token = await linkToken(opened);
    const redeemed = await signIns.redeem(token);
    if (!('session' in redeemed)) throw new Error(`refused: ${redeemed.refused}`);
    clock.now += 6 * 60_000;
    expect(await signIns.redeem(late)).toEqual({ refused: 'expired' });
    expect(await signIns.session(redeemed.session.id)).toBeDefined();
    clock.now += 12 * 3_600_000;
    expect(await signIns.session(redeemed.session.id)).toBeUndefined();
    expect(await signIns.check('not-a-token')).toEqual({ refused: 'malformed' });
    // One character changed (a token ends in 'A' one time in sixteen: change it to another).
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'E' : 'A'}`;
    expect(await signIns.check(altered)).toEqual({ refused: 'malformed' });
  });
});

describe('browser sign-ins across processes over one PostgreSQL image', () => {
  it('use a link once in whichever process opens it first, and end sessions everywhere', async () => {
    const location = await freshImageLocation('postgres');
    const one = await core(location);
    const other = await core(location);
    const token = await linkToken(one.core);
    // Both processes see whom it signs in as; only one can use it.
    expect(await other.signIns.check(token)).toMatchObject({ viewer: { sender: { id: 'ada' } } });
    const [a, b] = await Promise.all([one.signIns.redeem(token), other.signIns.redeem(token)]);
    expect([a, b].filter((r) => 'session' in r)).toHaveLength(1);
    expect([a, b].filter((r) => 'refused' in r)).toEqual([{ refused: 'used' }]);
    const { session } = ('session' in a ? a : b) as Extract<typeof a, { session: unknown }>;
    expect(await one.signIns.session(session.id)).toBeDefined();
    expect(await other.signIns.session(session.id)).toBeDefined();
    // An admin in one process ends Ada's sessions; the other process no longer knows them.
    expect(await one.core.ok('browse logout slack:ada')).toBe(
      'Ended 1 browser session of slack:ada.',
    );
    expect(await other.signIns.session(session.id)).toBeUndefined();
  });
});

describe.each(IMAGE_KINDS)('migration 0009 on %s', (kind) => {
  it('adds the sign-in tables to an existing image and keeps what it held', async () => {
    const location = await freshImageLocation(kind);
    const slots = encodeSlots(new Map([['n', { kind: 'value', value: 7 }]]));
    const at = new Date().toISOString();
    await imageBefore(location, '0009', async (db) => {
      await sql`INSERT INTO objects (oid, slots, refs, owner, version) VALUES (5, ${slots}, '[]', 'slack:ada', 1)`.execute(
        db,
      );
      await sql`INSERT INTO ledger_threads (platform, thread, at) VALUES ('slack', 'T1', ${at})`.execute(
        db,
      );
    });
    await withImage(location, async (image) => {
      expect(image.read(5)?.get('n')).toEqual({ kind: 'value', value: 7 });
      expect(await image.ledger.answeredIn('slack', 'T1')).toBe(true);
      const record = { principal: 'slack:ada', identity: '{}', expires: Date.now() + 60_000 };
      await image.signIns.addSession('h', record);
      expect(await image.signIns.session('h', Date.now())).toEqual(record);
    });
  });
});
