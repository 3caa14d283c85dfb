/**
 * A local stand-in for Slack: a Web API server that records every call (and can answer 429),
 * helpers that sign Events API and slash-command bodies as Slack does, and a Socket Mode
 * WebSocket server that delivers envelopes and collects acks. 127.0.0.1 only.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { LocalServer } from './local-server.ts';

/** Fixed ids of the fake workspace. */
export const SLACK_IDS = {
  team: 'T0FAKE',
  app: 'A0FAKE',
  bot: 'UBOT0001',
  botId: 'B0FAKE',
  alice: 'UALICE01',
  bob: 'UBOB0001',
  eve: 'UEVE0001',
  carol: 'UCAROL01',
  channel: 'CGENERAL',
  listenChannel: 'CLISTEN1',
  adminChannel: 'CADMIN01',
  dm: 'DALICE01',
} as const;

/** One Web API call (or response-URL post) as the fake received it. */
export interface RecordedCall {
  /** `chat.postMessage`, …, or `response_url` for posts to a slash command's response URL. */
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly authorization: string | undefined;
  /** HTTP status the fake answered with. */
  readonly status: number;
  /** `performance.now()` on arrival. */
  readonly at: number;
}

/** Headers Slack would send with `rawBody`, signed with `secret` at `timestamp` (seconds). */
export function signedHeaders(
  secret: string,
  rawBody: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature =
    'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

/** An Events API `event_callback` body around `event`. */
export function eventBody(
  event: Record<string, unknown>,
  eventId: string,
): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: SLACK_IDS.team,
    api_app_id: SLACK_IDS.app,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { event_ts: event.ts, ...event },
    authorizations: [{ team_id: SLACK_IDS.team, user_id: SLACK_IDS.bot, is_bot: true }],
  };
}

/** A slash command body, form-encoded as Slack posts it. */
export function commandBody(fields: {
  text: string;
  userId: string;
  channelId: string;
  responseUrl: string;
}): string {
  return new URLSearchParams({
    token: 'verification-token',
    team_id: SLACK_IDS.team,
    api_app_id: SLACK_IDS.app,
    command: '/batos',
    text: fields.text,
    user_id: fields.userId,
    user_name: fields.userId.toLowerCase(),
    channel_id: fields.channelId,
    channel_name: 'general',
    response_url: fields.responseUrl,
    trigger_id: '1.2.3',
  }).toString();
}

/**
 * POSTs `rawBody` to a Bolt HTTP receiver, signed with `secret` unless `headers` overrides it.
 * Returns the HTTP status.
 */
export async function postToReceiver(
  url: string,
  rawBody: string,
  secret: string,
  opts: { timestamp?: number; headers?: Record<string, string>; form?: boolean } = {},
): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...signedHeaders(secret, rawBody, opts.timestamp),
      ...opts.headers,
    },
    body: rawBody,
  });
  await response.arrayBuffer();
  return response.status;
}

/** The fake Slack. Start with {@link FakeSlack.start}; close in afterAll. */
export class FakeSlack extends LocalServer {
  protected readonly label = 'fake-slack';
  readonly calls: RecordedCall[] = [];
  /** Envelope ids the Socket Mode client acknowledged. */
  readonly acks: string[] = [];
  #ts = 1_700_000_000;
  #envelope = 0;
  readonly #rateLimited = new Map<string, number>();
  /** Tokens every Web API call answers `invalid_auth`, as Slack does for a wrong token. */
  readonly rejectedTokens = new Set<string>();
  /** Users `users.info` calls workspace admins. */
  readonly workspaceAdmins = new Set<string>();
  /** Each channel's creator, as `conversations.info` tells it. */
  readonly creators = new Map<string, string>();

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    await fake.listen();
    return fake;
  }

  /** The Web API base to give the client. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A response URL for a slash command; posts to it are recorded as `response_url`. */
  responseUrl(): string {
    return `http://127.0.0.1:${this.port}/respond/${this.#ts++}`;
  }

  /** A fresh message timestamp. */
  ts(): string {
    return `${this.#ts++}.000100`;
  }

  /** The next call of `method` is answered HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(method: string, retryAfterSeconds: number): void {
    this.#rateLimited.set(method, retryAfterSeconds);
  }

  /** Sends an `events_api` envelope over every Socket Mode connection; returns its id. */
  deliver(body: Record<string, unknown>): string {
    const envelopeId = `env-${++this.#envelope}`;
    const envelope = {
      envelope_id: envelopeId,
      type: 'events_api',
      payload: body,
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    };
    for (const socket of this.sockets) socket.send(JSON.stringify(envelope));
    return envelopeId;
  }

  /** Number of open Socket Mode connections. */
  get socketCount(): number {
    return this.sockets.size;
  }

  /** Calls of `method`, in order. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  protected onConnection(socket: WebSocket): void {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string };
      if (message.envelope_id !== undefined) this.acks.push(message.envelope_id);
      this.notify();
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake', approximate_connection_time: 3600 },
        connection_info: { app_id: SLACK_IDS.app },
      }),
    );
    this.notify();
  }

  protected onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const raw = Buffer.concat(chunks).toString();
      const args: Record<string, unknown> = (req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(raw || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      const method = path.startsWith('/respond/') ? 'response_url' : path.replace(/^\/api\//, '');
      const retryAfter = this.#rateLimited.get(method);
      this.#rateLimited.delete(method);
      const status = retryAfter === undefined ? 200 : 429;
      this.calls.push({
        method,
        args,
        authorization: req.headers.authorization,
        status,
        at: performance.now(),
      });
      if (retryAfter !== undefined) {
        res.writeHead(429, {
          'retry-after': String(retryAfter),
          'content-type': 'application/json',
        });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      } else {
        const token = req.headers.authorization?.replace(/^Bearer /, '');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            token !== undefined && this.rejectedTokens.has(token)
              ? { ok: false, error: 'invalid_auth' }
              : this.#answer(method, args),
          ),
        );
      }
      this.notify();
    });
  }

  #answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.com/',
          team: 'Fake',
          user: 'batos',
          team_id: SLACK_IDS.team,
          user_id: SLACK_IDS.bot,
          bot_id: SLACK_IDS.botId,
        };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/link/?ticket=fake` };
      case 'users.info': {
        const id = String(args.user);
        const name = id.slice(1, -2).toLowerCase();
        return {
          ok: true,
          user: {
            id,
            name,
            real_name: name,
            profile: { display_name: name },
            is_admin: this.workspaceAdmins.has(id),
          },
        };
      }
      case 'conversations.info': {
        const id = String(args.channel);
        return { ok: true, channel: { id, creator: this.creators.get(id) } };
      }
      case 'chat.postMessage': {
        const ts = this.ts();
        return {
          ok: true,
          channel: args.channel,
          ts,
          message: { text: args.text, ts, user: SLACK_IDS.bot },
        };
      }
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      default:
        return { ok: true };
    }
  }
}
