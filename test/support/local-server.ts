/**
 * What the fake Discord and fake Slack servers share: one HTTP server with a WebSocket
 * server on it, on 127.0.0.1 and a free port; the open sockets; waiting until something has
 * been recorded; and closing everything.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export abstract class LocalServer {
  /** The WebSocket connections now open. */
  protected readonly sockets = new Set<WebSocket>();
  readonly #waiters = new Set<() => void>();
  readonly #server: Server = createServer();
  readonly #wss = new WebSocketServer({ server: this.#server });

  /** Names the fake in timeout errors. */
  protected abstract readonly label: string;

  protected abstract onRequest(req: IncomingMessage, res: ServerResponse): void;
  protected abstract onConnection(socket: WebSocket): void;

  /** Starts listening; subclasses call it from their own `start()`. */
  protected async listen(): Promise<void> {
    this.#server.on('request', (req, res) => this.onRequest(req, res));
    this.#wss.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.onConnection(socket);
    });
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Resolves once `ready()` returns a value (checked now and after each {@link notify}). */
  until<T>(ready: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = ready();
        if (value === undefined || value === false) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${this.label}: timed out waiting`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Something was recorded: wake whoever waits for it. */
  protected notify(): void {
    for (const waiter of this.#waiters) waiter();
  }
}
