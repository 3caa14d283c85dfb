/**
 * The floor under a PostgreSQL send, measured in the same run as BAT OS: `clients` node-pg
 * clients in this process, each committing the rows a one-slot send keeps (its transaction,
 * its author's bytes for the day, its object, the change) as one prepared statement, one
 * commit each, into a bootstrapped image (the same schema, indexes and triggers). No checks,
 * no batching, no cache and no send: what any Node process keeping these rows could reach
 * on this server. pgbench's one-row update is the server's own ceiling; this is the
 * layout's, from Node.
 */
import pg from 'pg';
import { historyDay } from '../src/core/image/history.ts';

/** Far above any oid the bootstrap makes, so the bench's objects are its own. */
const FIRST_OID = 1_000_000;
/** Each client a person of their own, as each BAT OS sender is: no shared day's row. */
const owner = (k: number) => `bench:bare-${k}`;

const WRITE = `
  WITH t AS (
    INSERT INTO transactions (at, who, platform, message, private, bytes)
    VALUES ($1, $2, 'discord', $3, 0, $4) RETURNING tx),
  h AS (
    INSERT INTO history_days (who, day, added, kept) VALUES ($2, $5, $4, $4)
    ON CONFLICT (who, day) DO UPDATE
      SET added = history_days.added + excluded.added, kept = history_days.kept + excluded.kept),
  o AS (UPDATE objects SET slots = $6, version = (SELECT tx FROM t) WHERE oid = $7)
  INSERT INTO changes (tx, seq, oid, slot, before, after)
  SELECT tx, 0, $7, 'n', $8, $9 FROM t`;

const slots = (n: number) => JSON.stringify([['n', 'v', n]]);
const value = (n: number) => JSON.stringify({ kind: 'value', value: n });

/** Commits per second that `clients` clients made together over `seconds`. */
export async function bareSendsPerSecond(
  url: string,
  clients: number,
  seconds: number,
): Promise<number> {
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  try {
    for (let k = 0; k < clients; k += 1)
      await connections[0]!.query(
        `INSERT INTO objects (oid, slots, refs, owner, version) VALUES ($1, $2, '[]', $3, 0)
         ON CONFLICT (oid) DO NOTHING`,
        [FIRST_OID + k, slots(0), owner(k)],
      );
    let commits = 0;
    const started = performance.now();
    const stop = started + seconds * 1000;
    await Promise.all(
      connections.map(async (client, k) => {
        const oid = FIRST_OID + k;
        const who = owner(k);
        for (let n = 1; performance.now() < stop; n += 1) {
          const at = new Date().toISOString();
          const message = `#${oid} setSlot n ${n}`;
          await client.query({
            name: 'bare-send',
            text: WRITE,
            values: [
              at,
              who,
              message,
              message.length,
              historyDay(at),
              slots(n),
              oid,
              value(n - 1),
              value(n),
            ],
          });
          commits += 1;
        }
      }),
    );
    return commits / ((performance.now() - started) / 1000);
  } finally {
    await Promise.all(connections.map((client) => client.end()));
  }
}
