/**
 * The optional HTTP health endpoint (BATOS_HEALTH_PORT): `/healthz` answers 200 while the
 * process serves HTTP at all; `/readyz` answers 200 only while the bot is ready (image open,
 * front ends up) and 503 before that and during shutdown. Loopback unless told otherwise.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the bot is in its life. */
export type Phase = 'starting' | 'ready' | 'stopping';

/** A running endpoint. */
export interface HealthEndpoint {
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the endpoint on `host:port`; `phase` is asked on every request. */
export async function startHealthEndpoint(
  { host, port }: { host: string; port: number },
  phase: () => Phase,
): Promise<HealthEndpoint> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://health').pathname;
    const answer = (status: number, body: Record<string, unknown>): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, { error: 'GET only' });
    const now = phase();
    if (path === '/healthz') return answer(200, { ok: true, phase: now });
    if (path === '/readyz')
      return answer(now === 'ready' ? 200 : 503, { ready: now === 'ready', phase: now });
    answer(404, { error: 'try /healthz or /readyz' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
