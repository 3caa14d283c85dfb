/**
 * Synchronous reads from PostgreSQL, for what must not wait on the event loop: a lookup that
 * misses the object cache runs in the middle of a send, as it does over SQLite. A worker
 * thread holds its own connection and runs the query; this thread blocks on a shared word
 * until the answer is there. Only cache misses and counts come here: commits, history and
 * everything else go through the asynchronous pool.
 */
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import { ImageError } from '../../errors.ts';
import { translatePgError } from './errors.ts';

const WORKER_URL = new URL('./sync-reader-worker.mjs', import.meta.url);
/** A read that takes longer than this fails the send rather than hanging it. */
const READ_TIMEOUT_MS = 15_000;

interface Reply {
  readonly id: number;
  readonly rows?: unknown[];
  readonly error?: { readonly message: string; readonly code?: string };
}

export class SyncReader {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 0;

  constructor(
    url: string,
    private readonly location: string,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_URL, {
      workerData: { port: port2, signal: this.signal, url },
      transferList: [port2],
      // Plain JavaScript: it needs none of the host's loaders or flags.
      execArgv: [],
    });
    this.worker.unref();
  }

  /** Runs one query and returns its rows, blocking this thread until they arrive. */
  query<Row>(text: string, values: readonly unknown[] = []): Row[] {
    const id = ++this.nextId;
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ id, text, values });
    for (;;) {
      if (Atomics.wait(this.signal, 0, 0, READ_TIMEOUT_MS) === 'timed-out')
        throw new ImageError(
          'unavailable',
          `The image database ${this.location} did not answer a read within ${READ_TIMEOUT_MS / 1000} s. Nothing was changed; try again.`,
        );
      Atomics.store(this.signal, 0, 0);
      // A reply to a query that timed out earlier may come first: skip it.
      for (let message = receiveMessageOnPort(this.port); message;) {
        const reply = message.message as Reply;
        if (reply.id === id) {
          if (reply.error !== undefined) throw translatePgError(this.location, reply.error);
          return reply.rows as Row[];
        }
        message = receiveMessageOnPort(this.port);
      }
    }
  }

  close(): Promise<number> {
    this.port.close();
    return this.worker.terminate();
  }
}
