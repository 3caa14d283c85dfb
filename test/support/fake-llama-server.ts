/**
 * A tiny local HTTP server that speaks just enough of llama-server's protocol to fail in the
 * ways a real one can: answer normally (a fixed reply, streamed in pieces, or trickled 400 ms
 * apart like a slow model), die mid-reply,
 * answer garbage, or never answer; and it can close a kept-alive connection once it served
 * some requests on it, as llama-server does. It counts the chat requests it is sent and
 * keeps their bodies. Listens on 127.0.0.1, on a free port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeBehaviour = 'answer' | 'trickle' | 'die-mid-reply' | 'garbage' | 'silent';

export class FakeLlamaServer {
  /** The bodies of the chat completion requests received, in order. */
  readonly chatRequests: Array<Record<string, unknown>> = [];
  private readonly sockets = new Set<Socket>();
  /** Requests served on each connection, for {@link requestsPerConnection}. */
  private readonly served = new WeakMap<Socket, number>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  private constructor(
    public behaviour: FakeBehaviour,
    private readonly reply: string,
    private readonly adapters: readonly string[],
    /**
     * Requests a kept-alive connection serves; the next one sent on it finds it closed
     * unanswered, as a client does that reuses a connection the server has just closed.
     */
    private readonly requestsPerConnection: number,
  ) {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a fake that behaves as told, with adapters named like files in `lora/`. */
  static async start({
    behaviour = 'answer',
    reply = 'fake reply',
    adapters = [],
    port = 0,
    requestsPerConnection = Infinity,
  }: {
    behaviour?: FakeBehaviour;
    reply?: string;
    adapters?: readonly string[];
    /** 0: a free port. */
    port?: number;
    /** See the constructor; default: no limit. */
    requestsPerConnection?: number;
  } = {}) {
    const fake = new FakeLlamaServer(behaviour, reply, adapters, requestsPerConnection);
    await new Promise<void>((resolve) => fake.server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const served = this.served.get(req.socket) ?? 0;
    if (served >= this.requestsPerConnection) {
      req.socket.destroy();
      return;
    }
    this.served.set(req.socket, served + 1);
    let body = '';
    for await (const chunk of req) body += chunk;
    if (this.behaviour === 'silent') return;
    if (this.behaviour === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>It works!</html>');
      return;
    }
    if (req.url === '/v1/models') {
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model.gguf' }] }));
      return;
    }
    if (req.url === '/lora-adapters') {
      res.end(
        JSON.stringify(this.adapters.map((name, id) => ({ id, path: `lora/${name}`, scale: 0 }))),
      );
      return;
    }
    this.chatRequests.push(JSON.parse(body) as Record<string, unknown>);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = (data: unknown) =>
      new Promise((resolve) => res.write(`data: ${JSON.stringify(data)}\n\n`, resolve));
    const [first, ...rest] = this.reply.split(/(?<= )/u);
    await event({ choices: [{ index: 0, delta: { content: first }, finish_reason: null }] });
    if (this.behaviour === 'die-mid-reply') {
      // Once the first piece has reached the client, as a server killed mid-reply would.
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    }
    for (const piece of rest) {
      if (this.behaviour === 'trickle') await new Promise((resolve) => setTimeout(resolve, 400));
      await event({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    event({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    event({ choices: [], usage: { completion_tokens: this.reply.split(' ').length } });
    res.end('data: [DONE]\n\n');
  }
}
