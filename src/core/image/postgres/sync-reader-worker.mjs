// @ts-check
/**
 * The PostgreSQL side of {@link SyncReader}: one connection, one query at a time. The host
 * blocks on the shared word until this thread answers, so a lookup that misses the cache
 * can read the database synchronously, as it reads SQLite.
 */
import { workerData } from 'node:worker_threads';
import pg from 'pg';

/** @type {{ port: import('node:worker_threads').MessagePort, signal: Int32Array, url: string }} */
const { port, signal, url } = workerData;

/** @type {pg.Client | undefined} */
let client;

/** The open connection, or a new one: after a failure the next query reconnects. */
async function connection() {
  if (client !== undefined) return client;
  const fresh = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  fresh.on('error', () => {
    if (client === fresh) client = undefined;
  });
  await fresh.connect();
  client = fresh;
  return fresh;
}

port.on('message', async (/** @type {{ id: number, text: string, values: unknown[] }} */ query) => {
  /** @type {{ id: number, rows?: unknown[], error?: { message: string, code?: string } }} */
  let reply;
  try {
    const result = await (await connection()).query(query.text, query.values);
    reply = { id: query.id, rows: result.rows };
  } catch (error) {
    const failed = client;
    client = undefined;
    failed?.end().catch(() => {});
    const { message, code } = /** @type {{ message: string, code?: string }} */ (error);
    reply = { id: query.id, error: code === undefined ? { message } : { message, code } };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
