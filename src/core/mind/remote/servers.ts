/**
 * The inference servers of BATOS_MIND_URL and how requests spread over them: each request
 * goes to the server with the fewest requests in flight (round robin among equals) that
 * holds the adapter it needs. A server that fails or is too slow to answer is skipped, and
 * tried again after a backoff that doubles with each failure in a row; one that answers
 * again is asked afresh what it serves.
 */
import { MindError } from '../errors.ts';
import type { ServerClient, ServerInfo } from './client.ts';

/** How long a failed server is skipped: `firstMs`, doubling per failure, at most `maxMs`. */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 60_000 };

/** Codes that mean the server, not the request, is at fault. */
const SERVER_FAULTS = new Set(['unreachable', 'interrupted', 'bad-response']);

interface ServerState {
  readonly client: ServerClient;
  /** What it serves; unknown until it has answered a probe (again). */
  info: ServerInfo | undefined;
  failures: number;
  retryAt: number;
  lastError: string | undefined;
  inFlight: number;
}

/** A server chosen for a request, with what it serves. */
export interface ChosenServer {
  readonly client: ServerClient;
  readonly info: ServerInfo;
}

export class ServerPool {
  private readonly servers: ServerState[];
  private turn = 0;

  constructor(
    clients: readonly ServerClient[],
    private readonly options: { readonly backoff?: Backoff; readonly now?: () => number } = {},
  ) {
    this.servers = clients.map((client) => ({
      client,
      info: undefined,
      failures: 0,
      retryAt: 0,
      lastError: undefined,
      inFlight: 0,
    }));
  }

  /** Asks every server what it serves; returns the failures' messages (empty: all answered). */
  async probeAll(): Promise<string[]> {
    const results = await Promise.all(
      this.servers.map((server) =>
        this.probe(server).then(
          () => undefined,
          (error: unknown) => (error as Error).message,
        ),
      ),
    );
    return results.filter((message): message is string => message !== undefined);
  }

  /** The servers that have answered, with what each serves. */
  known(): ChosenServer[] {
    return this.servers.flatMap(({ client, info }) => (info ? [{ client, info }] : []));
  }

  /**
   * Runs `fn` on a server holding `adapter` (a file name; none: any server). A server that
   * fails before it has said anything is skipped and the next one tried; a failure after
   * that (or of the request itself) is thrown. When none can answer, rejects with
   * 'unreachable', naming each server's reason.
   */
  async run<T>(
    adapter: string | undefined,
    signal: AbortSignal,
    fn: (server: ChosenServer) => Promise<T>,
  ): Promise<T> {
    const reasons: string[] = [];
    const tried = new Set<ServerState>();
    for (let server = this.next(tried); server; server = this.next(tried)) {
      tried.add(server);
      server.inFlight++;
      try {
        const info = (server.info ??= await server.client.probe(signal));
        if (adapter !== undefined && !info.adapters.has(adapter)) {
          reasons.push(`${server.client.url}: holds no adapter ${adapter}`);
          continue;
        }
        const result = await fn({ client: server.client, info });
        server.failures = 0;
        return result;
      } catch (error) {
        if (signal.aborted || !(error instanceof MindError)) throw error;
        if (SERVER_FAULTS.has(error.code)) this.failed(server, error.message);
        if (error.code !== 'unreachable') throw error;
        reasons.push(error.message);
      } finally {
        server.inFlight--;
      }
    }
    const now = this.now();
    for (const server of this.servers)
      if (!tried.has(server) && server.retryAt > now)
        reasons.push(
          `${server.lastError} (not tried again for ${Math.ceil((server.retryAt - now) / 1000)} s)`,
        );
    throw new MindError(
      'unreachable',
      `No inference server could answer (${reasons.join('; ')}). Start one with \`npm run llama-server\`, or check BATOS_MIND_URL.`,
    );
  }

  /** The untried server to use next: out of backoff, fewest in flight, round robin. */
  private next(tried: ReadonlySet<ServerState>): ServerState | undefined {
    const now = this.now();
    const start = this.turn++ % this.servers.length;
    const rotated = [...this.servers.slice(start), ...this.servers.slice(0, start)];
    return rotated
      .filter((server) => !tried.has(server) && server.retryAt <= now)
      .sort((a, b) => a.inFlight - b.inFlight)[0];
  }

  private async probe(server: ServerState): Promise<ServerInfo> {
    try {
      server.info = await server.client.probe();
      return server.info;
    } catch (error) {
      this.failed(server, (error as Error).message);
      throw error;
    }
  }

  private failed(server: ServerState, message: string): void {
    const { firstMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF;
    server.failures++;
    server.info = undefined;
    server.lastError = message;
    server.retryAt = this.now() + Math.min(maxMs, firstMs * 2 ** (server.failures - 1));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
